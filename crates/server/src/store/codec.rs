//! How a decision log entry is kept: its facts (as given) and its result side by side as
//! one JSON array, `[facts,result]`, compressed with zstd — with a dictionary trained on
//! the log itself once it has enough entries, since one entry alone (600 bytes of facts)
//! is too short for a compressor to find much to share. A dictionary, once kept in
//! `log_dicts`, is never changed or removed: every entry names the one it was written
//! with, so any server reads any entry.
//!
//! `codec` in `decision_log`: [`LEGACY`] for entries moved from the first log (plain
//! text, the whole answer as it was given), [`ZSTD`] for compressed ones (`dict` names
//! the dictionary, or none).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::value::RawValue;

/// An entry of the first log: `[facts,answer]` as plain text, the whole answer kept.
pub const LEGACY: i64 = 0;
/// `[facts,result]` compressed with zstd, the result compact (rebuilt on read).
pub const ZSTD: i64 = 1;

/// The compression level: small entries, written in the log writer's task.
const LEVEL: i32 = 6;
/// The size of a trained dictionary.
pub const DICT_SIZE: usize = 16 * 1024;
/// Entries the writer samples before it trains a dictionary.
pub const TRAIN_AFTER: usize = 2000;
/// Largest entry read back (a request body is at most 1 MiB; the result is smaller).
const MOST: usize = 4 << 20;

/// An entry as the database keeps it.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// [`LEGACY`] or [`ZSTD`].
    pub codec: i64,
    /// The dictionary's id in `log_dicts`, if one was used.
    pub dict: Option<i64>,
    /// The bytes.
    pub body: Vec<u8>,
}

/// Why an entry cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The bytes do not decompress (or name a dictionary that is not kept).
    #[error("decision log entry cannot be decompressed: {0}")]
    Decompress(String),
    /// The plaintext is not `[facts,result]`.
    #[error("decision log entry is not [facts,result]: {0}")]
    Shape(String),
}

/// The compressor with the dictionary in use, and the decompressors of every dictionary
/// read so far; shared by the store's clones (the log writer's included).
#[derive(Default)]
pub struct Codec {
    writing: RwLock<Option<(i64, Arc<Mutex<zstd::bulk::Compressor<'static>>>)>>,
    plain: Mutex<Option<zstd::bulk::Compressor<'static>>>,
    reading: Mutex<HashMap<Option<i64>, zstd::bulk::Decompressor<'static>>>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec").field("dict", &self.dict()).finish_non_exhaustive()
    }
}

fn io(e: &std::io::Error) -> CodecError {
    CodecError::Decompress(e.to_string())
}

fn compressor(dict: Option<&[u8]>) -> std::io::Result<zstd::bulk::Compressor<'static>> {
    let mut c = match dict {
        Some(d) => zstd::bulk::Compressor::with_dictionary(LEVEL, d)?,
        None => zstd::bulk::Compressor::new(LEVEL)?,
    };
    // The column says which dictionary; the frame need not.
    c.set_parameter(zstd::stream::raw::CParameter::DictIdFlag(false))?;
    Ok(c)
}

/// The plaintext of an entry: `[facts,result]` (both JSON texts, kept as they are, less
/// a byte-order mark before the facts, which the service reads past and JSON cannot hold
/// inside an array).
pub fn plaintext(facts: &str, result: &str) -> Vec<u8> {
    let facts = facts.strip_prefix('\u{feff}').unwrap_or(facts);
    let mut out = Vec::with_capacity(facts.len() + result.len() + 3);
    out.push(b'[');
    out.extend_from_slice(facts.as_bytes());
    out.push(b',');
    out.extend_from_slice(result.as_bytes());
    out.push(b']');
    out
}

impl Codec {
    /// The dictionary new entries are written with.
    pub fn dict(&self) -> Option<i64> {
        self.writing.read().ok().and_then(|w| w.as_ref().map(|(id, _)| *id))
    }

    /// Writes new entries with dictionary `id` from now on.
    pub fn install(&self, id: i64, dict: &[u8]) -> std::io::Result<()> {
        let c = compressor(Some(dict))?;
        let d = zstd::bulk::Decompressor::with_dictionary(dict)?;
        if let Ok(mut r) = self.reading.lock() {
            r.insert(Some(id), d);
        }
        if let Ok(mut w) = self.writing.write() {
            *w = Some((id, Arc::new(Mutex::new(c))));
        }
        Ok(())
    }

    /// Whether entries written with `dict` can be read without fetching it.
    pub fn knows(&self, dict: Option<i64>) -> bool {
        dict.is_none() || self.reading.lock().is_ok_and(|r| r.contains_key(&dict))
    }

    /// Adds a kept dictionary for reading.
    pub fn learn(&self, id: i64, dict: &[u8]) -> std::io::Result<()> {
        let d = zstd::bulk::Decompressor::with_dictionary(dict)?;
        if let Ok(mut r) = self.reading.lock() {
            r.insert(Some(id), d);
        }
        Ok(())
    }

    /// Compresses an entry with the dictionary in use (none before one is trained).
    pub fn encode(&self, facts: &str, result: &str) -> std::io::Result<Encoded> {
        let text = plaintext(facts, result);
        let current = self.writing.read().ok().and_then(|w| w.clone());
        if let Some((id, c)) = current {
            let mut c = c.lock().map_err(|_| std::io::Error::other("a compressor panicked"))?;
            return Ok(Encoded { codec: ZSTD, dict: Some(id), body: c.compress(&text)? });
        }
        let mut plain = self.plain.lock().map_err(|_| std::io::Error::other("a compressor panicked"))?;
        if plain.is_none() {
            *plain = Some(compressor(None)?);
        }
        match plain.as_mut() {
            Some(c) => Ok(Encoded { codec: ZSTD, dict: None, body: c.compress(&text)? }),
            None => Err(std::io::Error::other("no compressor")),
        }
    }

    /// The facts and the result of a kept entry, as they were given. A dictionary not
    /// yet read must be [`Codec::learn`]ed first.
    pub fn decode(&self, codec: i64, dict: Option<i64>, body: &[u8]) -> Result<(String, String), CodecError> {
        let text = match codec {
            LEGACY => body.to_vec(),
            ZSTD => {
                let mut reading = self.reading.lock().map_err(|_| CodecError::Decompress("poisoned".into()))?;
                if !reading.contains_key(&dict) {
                    if dict.is_some() {
                        return Err(CodecError::Decompress(format!("dictionary {dict:?} is not kept")));
                    }
                    reading.insert(None, zstd::bulk::Decompressor::new().map_err(|e| io(&e))?);
                }
                let d = reading.get_mut(&dict).ok_or_else(|| CodecError::Decompress("no decompressor".into()))?;
                d.decompress(body, MOST).map_err(|e| io(&e))?
            }
            other => return Err(CodecError::Decompress(format!("unknown codec {other}"))),
        };
        let (facts, result): (&RawValue, &RawValue) = serde_json::from_slice(&text).map_err(|e| {
            let start: String = String::from_utf8_lossy(text.get(..60).unwrap_or(&text)).into_owned();
            CodecError::Shape(format!("{e} (it starts {start:?})"))
        })?;
        Ok((facts.get().to_owned(), result.get().to_owned()))
    }
}

/// Trains a dictionary on entries' plaintexts.
pub fn train(samples: &[Vec<u8>]) -> std::io::Result<Vec<u8>> {
    zstd::dict::from_samples(samples, DICT_SIZE)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test stops at the first surprise")]
    use super::*;

    fn sample(i: usize) -> (String, String) {
        let facts = format!(
            r#"{{"order":{{"id":"SO-{i}","delivered_at":"2026-11-01T15:20:00+08:00"}},"item":{{"sku":"KB-{}","unit_price":"{}.00","quantity":{}}}}}"#,
            i % 97,
            100 + i % 400,
            1 + i % 3
        );
        let result = format!(r#"{{"now":"2026-11-10T12:00:00+08:00","decision":"approved","codes":[],"n":{i}}}"#);
        (facts, result)
    }

    /// Every entry reads back as it was given, before and after a dictionary, and a
    /// reader that learned the dictionary reads what another wrote with it.
    #[test]
    fn entries_read_back_as_given() {
        let writer = Codec::default();
        let mut kept = Vec::new();
        for i in 0..50 {
            let (f, r) = sample(i);
            kept.push((writer.encode(&f, &r).unwrap(), f, r));
        }
        let samples: Vec<Vec<u8>> = (0..3000).map(sample).map(|(f, r)| plaintext(&f, &r)).collect();
        let dict = train(&samples).unwrap();
        writer.install(7, &dict).unwrap();
        for i in 50..100 {
            let (f, r) = sample(i);
            kept.push((writer.encode(&f, &r).unwrap(), f, r));
        }
        let reader = Codec::default();
        assert!(!reader.knows(Some(7)));
        reader.learn(7, &dict).unwrap();
        for (e, f, r) in &kept {
            assert_eq!(reader.decode(e.codec, e.dict, &e.body).unwrap(), (f.clone(), r.clone()));
        }
        // The dictionary earns its keep on entries this small.
        let plain: usize = kept[..50].iter().map(|k| k.0.body.len()).sum();
        let trained: usize = kept[50..].iter().map(|k| k.0.body.len()).sum();
        assert!(trained * 2 < plain, "{trained} with the dictionary, {plain} without");
        // The facts keep their spacing; a legacy entry is plain text.
        let legacy = plaintext("{ \"a\": 1 }", "{\"decision\":\"approved\"}");
        assert_eq!(reader.decode(LEGACY, None, &legacy).unwrap().0, "{ \"a\": 1 }");
        assert!(reader.decode(ZSTD, Some(8), &kept[60].0.body).is_err());
        assert!(reader.decode(9, None, b"[1,2]").is_err());
        // A byte-order mark before the facts (which the service reads past) is not kept.
        let e = writer.encode("\u{feff}{\"a\":1}", "{}").unwrap();
        assert_eq!(reader.decode(e.codec, e.dict, &e.body).unwrap().0, "{\"a\":1}");
    }
}
