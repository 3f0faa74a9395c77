//! Arbitrary text as a policy: parse, check, compile, format. Nothing may panic, and
//! formatting must never change what a policy that parses says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenet::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = SourceFile::new("fuzz.tenet", text);
    // Holiday files are not read: every named file is absent.
    let resolve = |name: &str| {
        Err(tenet::source::ReadError::Io { path: name.to_owned(), source: std::io::Error::other("not in the fuzzer") })
    };
    let _ = tenet::Policy::from_source_with(&file, &resolve);
    match tenet::format_policy(&file) {
        Ok(_) | Err(tenet::FormatError::Syntax(_)) => {}
        Err(tenet::FormatError::Changed) => panic!("formatting changed the tree"),
    }
});
