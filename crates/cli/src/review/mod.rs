//! Reviewing policy changes: case corpora run as tests with rule coverage, and the
//! impact of a change on a corpus.

pub mod corpus;
pub mod diff;
pub mod test;
pub mod test_case;
pub mod test_history;
