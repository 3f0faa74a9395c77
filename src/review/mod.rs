//! Reviewing policy changes: case corpora run as tests, with rule coverage.

pub mod corpus;
pub mod test;
