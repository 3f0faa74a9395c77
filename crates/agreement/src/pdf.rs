//! The agreement as PDF: its HTML page printed by headless Chromium, when installed
//! (`sh tests/install-pdf-deps.sh` installs it with the CJK font; `TENET_CHROMIUM` names
//! another browser binary).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tenet::diagnostics::msg;
use tenet::diagnostics::{Diagnostic, Msg};

/// Chromium's flags, one per line, shared with the tests that run it: they keep it off
/// the network and headless.
pub const FLAGS: &str = include_str!("chromium-flags.txt");

/// How long one print may take before the browser is stopped.
const TIMEOUT: Duration = Duration::from_secs(90);

/// The browser: `TENET_CHROMIUM`, else the first of Chromium's usual names on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("TENET_CHROMIUM") {
        return Some(PathBuf::from(named));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

fn failed(message: Msg) -> Diagnostic {
    Diagnostic::error("pdf", message).help(Msg::new(
        "PDF 由无界面 Chromium 打印：请安装 Chromium 和中文字体（Debian/Ubuntu：apt install chromium fonts-noto-cjk），或用环境变量 TENET_CHROMIUM 指明浏览器；也可以用 --format html 在浏览器中打印",
        "the PDF is printed by headless Chromium: install Chromium and a CJK font (Debian/Ubuntu: apt install chromium fonts-noto-cjk), or name the browser in TENET_CHROMIUM; or render --format html and print it from a browser",
    ))
}

/// Prints `html` (a complete page) to PDF bytes.
pub fn print(html: &str) -> Result<Vec<u8>, Diagnostic> {
    let Some(browser) = chromium() else {
        return Err(failed(Msg::new(
            "没有找到 Chromium，无法生成 PDF",
            "Chromium is not installed, so no PDF can be printed",
        )));
    };
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tenet-print-{}-{n}", std::process::id()));
    let result = print_in(&browser, html, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn print_in(browser: &Path, html: &str, dir: &Path) -> Result<Vec<u8>, Diagnostic> {
    let io = |e: std::io::Error| failed(msg!("打印 PDF 时出错：{e}", "printing the PDF failed: {e}"));
    std::fs::create_dir_all(dir).map_err(io)?;
    let page = dir.join("agreement.html");
    let pdf = dir.join("agreement.pdf");
    std::fs::write(&page, html).map_err(io)?;
    let mut child = Command::new(browser)
        .args(FLAGS.lines())
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(io)?;
    let started = Instant::now();
    loop {
        if child.try_wait().map_err(io)?.is_some() {
            break;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            let secs = TIMEOUT.as_secs();
            return Err(failed(msg!(
                "Chromium {secs} 秒内没有完成打印",
                "Chromium did not finish printing in {secs} seconds"
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let bytes = std::fs::read(&pdf).map_err(io)?;
    if !bytes.starts_with(b"%PDF") {
        return Err(failed(Msg::new("Chromium 没有写出 PDF", "Chromium wrote no PDF")));
    }
    Ok(bytes)
}
