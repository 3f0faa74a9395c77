//! Identifiers and secrets: random ids from the operating system's generator, SHA-256
//! digests, and comparison that takes the same time whatever matches.

use sha2::{Digest, Sha256};

/// `bytes` random bytes as lowercase hex; `None` when the system has no randomness.
pub fn random_hex(bytes: usize) -> Option<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).ok()?;
    Some(hex(&buf))
}

/// A decision id: the time in microseconds (12 hex digits, so ids sort by time and the
/// log's index grows at its end) and 10 random bytes; `None` without randomness.
pub fn decision_id() -> Option<String> {
    let micros = chrono::Utc::now().timestamp_micros().max(0);
    let mut random = [0u8; 10];
    fill_from_pool(&mut random)?;
    Some(format!("{micros:013x}{}", hex(&random)))
}

/// Random bytes the operating system gave, fetched a page at a time per thread: one
/// system call per request cost more than the id is worth. Used for ids only, never for
/// secrets (tokens take theirs straight from [`random_hex`]).
fn fill_from_pool(out: &mut [u8]) -> Option<()> {
    thread_local! {
        static POOL: std::cell::RefCell<(Vec<u8>, usize)> = const { std::cell::RefCell::new((Vec::new(), 0)) };
    }
    POOL.with(|cell| {
        let mut pool = cell.try_borrow_mut().ok()?;
        let (bytes, used) = &mut *pool;
        if bytes.len() < *used + out.len() {
            bytes.resize(4096, 0);
            getrandom::fill(bytes).ok()?;
            *used = 0;
        }
        out.copy_from_slice(bytes.get(*used..*used + out.len())?);
        *used += out.len();
        Some(())
    })
}

/// A case id: 1 to 64 letters, digits, `.`, `_` or `-`. Anything else names no case, and
/// is never sent to the database (PostgreSQL refuses text with a NUL in it).
pub fn valid_case_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// An action's id: a digest of its case, kind and due time (UTC text), the same on every
/// server and in every listing.
pub fn action_id(case: &str, kind: &str, due: &str) -> String {
    let digest = sha256_hex(format!("{case}\n{kind}\n{due}").as_bytes());
    digest.get(..24).unwrap_or(&digest).to_owned()
}

/// SHA-256 of `text` as lowercase hex.
pub fn sha256_hex(text: &[u8]) -> String {
    hex(&Sha256::digest(text))
}

fn hex(bytes: &[u8]) -> String {
    let digit = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(digit(b >> 4));
        s.push(digit(b & 0x0f));
    }
    s
}

/// Equality of two secrets' digests in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn digests_and_comparison() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        let a = random_hex(16).expect("random");
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_hex(16).expect("random"));
        let (d1, d2) = (decision_id().expect("id"), decision_id().expect("id"));
        assert_eq!(d1.len(), 33);
        assert!(d1[..13] <= d2[..13], "time first: {d1} {d2}");
        // Past several refills of the per-thread pool, no random part repeats.
        let tails: std::collections::HashSet<String> =
            (0..2000).map(|_| decision_id().expect("id")[13..].to_owned()).collect();
        assert_eq!(tails.len(), 2000);
        assert!(tails.iter().all(|t| t.len() == 20 && t.bytes().all(|b| b.is_ascii_hexdigit())));
    }
}
