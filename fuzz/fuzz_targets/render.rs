//! Arbitrary agreement data rendered in both languages and formats. Nothing may panic;
//! every failure is a diagnostic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenet_agreement::{self as render, DocFormat, DocLang, Options};
use tenet::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest).into_owned();
    // Named beside the example, so that `sla: rules/support_sla.tenet` resolves.
    let name = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/agreements/fuzz.yaml");
    let file = SourceFile::new(name.to_owned(), text);
    let options = Options {
        lang: Some(if selector & 1 == 0 { DocLang::Zh } else { DocLang::En }),
        format: if selector & 2 == 0 { DocFormat::Markdown } else { DocFormat::Html },
        final_copy: selector & 4 != 0,
    };
    let _ = render::render(&file, options);
});
