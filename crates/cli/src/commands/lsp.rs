//! `tenet lsp`: the language server for editors, over standard input and output.

use crate::Exit;
use crate::output::err;

/// Serves until the editor says `exit`.
pub(crate) fn run() -> Exit {
    match tenet_lsp::run_stdio() {
        Ok(()) => Exit::Ok,
        Err(e) => {
            err(&format!("{e}\n"));
            Exit::Usage
        }
    }
}
