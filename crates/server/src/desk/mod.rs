//! The return desk: pages for the people who run the process, under `/desk`.

pub mod queue;
pub mod auth;
pub mod accounts;
