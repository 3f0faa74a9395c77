//! `tenet serve` as a process of its own, for the tests that need a real one: killed
//! with SIGKILL, stopped with SIGTERM, restarted on the same database.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `tenet serve`, killed when dropped.
#[derive(Debug)]
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Served {
    /// Starts `bin serve` on a free loopback port with the bundled policies, the database
    /// `db` and `args` after them, its standard error sent to `stderr`; waits for its
    /// ready line.
    pub fn start(bin: &Path, db: &str, args: &[&OsStr], stderr: impl Into<Stdio>) -> Served {
        let mut child = Command::new(bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--db", db, "--policies"])
            .arg(crate::root().join("rules"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let base =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("ready line: {line:?}")).to_owned();
        Served { child, base }
    }

    /// The process's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Its exit status, if it has exited.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Stops it as an operator would (SIGTERM: the log is flushed) and waits for it.
    pub fn stop(mut self) {
        self.signal(nix::sys::signal::Signal::SIGTERM);
        self.child.wait().unwrap();
    }

    /// Kills it with SIGKILL, as a crash would, and waits for it.
    pub fn kill(&mut self) {
        self.signal(nix::sys::signal::Signal::SIGKILL);
        let _ = self.child.wait();
    }

    fn signal(&self, s: nix::sys::signal::Signal) {
        let pid = i32::try_from(self.child.id()).unwrap();
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), s);
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}
