//! The open documents: each one's text and version, and its analysis per version — the
//! latest, and the last one that parsed completely, which requests fall back on while
//! the text has a syntax error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::Uri;
use tenet::analysis::{Analysis, Incremental};
use tenet::source::SourceFile;

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A `.tenet` policy.
    Policy,
    /// A YAML or JSON file that may be a case or facts file naming its policy.
    Data,
}

/// One open document.
pub struct Document {
    /// Its kind.
    pub kind: Kind,
    /// The editor's version.
    pub version: i32,
    /// The text as the editor has it.
    pub file: Arc<SourceFile>,
    /// The analysis of this version (policies; `None` until analysed).
    pub analysis: Option<Analysis>,
    /// The last analysis whose parse was complete.
    pub last_good: Option<Analysis>,
    /// What the next analysis may keep of this one (large tables whose text is as it was).
    pub kept: Incremental,
}

/// Every open document, and those edited since they were last analysed.
#[derive(Default)]
pub struct Documents {
    /// By URI.
    pub open: BTreeMap<String, (Uri, Document)>,
    /// URIs changed and not yet analysed.
    pub dirty: BTreeSet<String>,
    /// For each policy, the other files (holiday files, CSV tables) it last published
    /// diagnostics to, so they are cleared once fixed.
    pub published: BTreeMap<String, BTreeSet<String>>,
}

/// The file path a `file:` URI names (percent-decoded), else the URI as written.
pub fn path_of(uri: &Uri) -> PathBuf {
    let text = uri.as_str();
    let Some(path) = text.strip_prefix("file://") else { return PathBuf::from(text) };
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    PathBuf::from(String::from_utf8_lossy(&out).into_owned())
}

impl Documents {
    /// Opens (or replaces) a document.
    pub fn open(&mut self, uri: Uri, version: i32, text: String) {
        let path = path_of(&uri);
        let kind = if path.extension().is_some_and(|e| e == "tenet") { Kind::Policy } else { Kind::Data };
        let file = SourceFile::new(path.display().to_string(), text);
        let key = uri.as_str().to_owned();
        self.dirty.insert(key.clone());
        let (last_good, kept) = match self.open.remove(&key) {
            Some((_, d)) => (d.last_good, d.kept),
            None => (None, Incremental::new()),
        };
        self.open.insert(key, (uri, Document { kind, version, file, analysis: None, last_good, kept }));
    }

    /// Replaces a document's text (full synchronisation).
    pub fn change(&mut self, uri: &Uri, version: i32, text: String) {
        let key = uri.as_str();
        if let Some((_, doc)) = self.open.get_mut(key) {
            doc.file = SourceFile::new(doc.file.name().to_owned(), text);
            doc.version = version;
            doc.analysis = None;
            self.dirty.insert(key.to_owned());
        }
    }

    /// Marks every open policy for analysis again: a file it reads may have changed.
    pub fn reread_policies(&mut self) {
        for (key, (_, doc)) in &mut self.open {
            if doc.kind == Kind::Policy {
                doc.analysis = None;
                self.dirty.insert(key.clone());
            }
        }
    }

    /// Analyses a policy document if its text changed since; gives it.
    pub fn analysed(&mut self, uri: &Uri) -> Option<&Document> {
        let key = uri.as_str();
        let (_, doc) = self.open.get_mut(key)?;
        if doc.kind == Kind::Policy && doc.analysis.is_none() {
            let analysis = doc.kept.analyse(&doc.file);
            if analysis.is_complete() {
                doc.last_good = Some(analysis.clone());
            }
            doc.analysis = Some(analysis);
        }
        self.open.get(key).map(|(_, d)| d)
    }

    /// The analysis to answer a request from: this version's when it parsed, else the
    /// last one that did (positions may have moved a little; better than nothing).
    pub fn for_request(&mut self, uri: &Uri) -> Option<&Analysis> {
        let doc = self.analysed(uri)?;
        match &doc.analysis {
            Some(a) if a.is_complete() => Some(a),
            other => doc.last_good.as_ref().or(other.as_ref()),
        }
    }
}
