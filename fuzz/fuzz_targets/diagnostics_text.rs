//! The human diagnostic printer on anything: arbitrary text as a policy and as facts, and
//! diagnostics whose spans (main, labelled and secondary) are arbitrary offsets into
//! arbitrary text — past its end, inside a character, past column 65 535 — rendered in
//! every language, with and without colour, at any width. Nothing may panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tenet::Policy;
use tenet::diagnostics::{Diagnostic, Lang, Msg, Style, to_json, to_text};
use tenet::facts::Format;
use tenet::source::{SourceFile, Span};

static RETURNS: LazyLock<Policy> = LazyLock::new(|| {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/returns.tenet");
    Policy::load(std::path::Path::new(path)).expect("valid bundled policy")
});

fn offset(bytes: &[u8], scale: u8) -> usize {
    let n = bytes.iter().fold(0usize, |n, b| n << 8 | usize::from(*b));
    n.saturating_mul(usize::from(scale) + 1)
}

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<12>() else { return };
    let text = String::from_utf8_lossy(rest).into_owned();
    let file = SourceFile::new("fuzz.tenet", text.as_str());
    let lang = [Lang::Zh, Lang::En, Lang::Both][usize::from(head[0] % 3)];
    let style = Style { lang, color: head[0] & 0x80 != 0, width: usize::from(head[1]) };
    let span = |at: usize| Span::new(offset(&head[at..at + 2], head[10]), offset(&head[at + 2..at + 4], head[11]));
    let words = text.get(..text.len().min(200)).unwrap_or_default().to_owned();
    let made = Diagnostic::error("fuzz", Msg::new(words.clone(), words.clone()))
        .at(span(2))
        .also(span(6), Msg::new(words.clone(), words))
        .help(Msg::new("帮助", "help"))
        .in_file(&file);
    let labelled = Diagnostic::warning("fuzz", Msg::new("警告", "warning")).at_labelled(span(4), Msg::new("这里", "here"));
    let mut diags = vec![made, labelled];
    if let Err(e) = Policy::from_source(&file) {
        diags.extend(e.diagnostics());
    }
    let format = if head[0] & 0x40 != 0 { Format::Json } else { Format::Yaml };
    if let Err(found) = RETURNS.facts(&SourceFile::new("fuzz.facts", text.as_str()), format) {
        diags.extend(found);
    }
    let _ = to_text(&diags, style);
    let _ = to_json(&diags, lang);
    for d in &diags {
        let _ = d.position();
    }
});
