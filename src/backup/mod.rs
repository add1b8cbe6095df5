//! The nightly backup of a firm, and its restore.
//!
//! Every night from 02:00 in the firm's time zone a job (`backup:{firm}:{day}`) writes, to the
//! backup location (`BACKUP_STORAGE`: a folder by default, S3-compatible when configured):
//!
//! ```text
//! {firm}/{day}/{attempt}/tables/{table}.jsonl  every row of the firm, one JSON object a line
//! {firm}/files/{sha256}                        each document's bytes, once (copied when not
//!                                              yet there, or not whole)
//! {firm}/{day}/{attempt}/manifest.json         written last: each file above with its SHA-256
//! ```
//!
//! The rows are read in one snapshot (`REPEATABLE READ`) by `backup_rows` (migration 28), over
//! a connection of its own as the role `docket_backup` (`DATABASE_BACKUP_URL`): the functions
//! read the firm of the transaction only, walled-off matters, the people the rows name and
//! their sign-in factors included, and the application's role may not call them.
//! `docket restore {firm}/{day}` writes the newest finished attempt of that day into a database
//! that does not hold the firm (an empty one after a disaster), checking every SHA-256 before
//! anything is kept: rows in one transaction, bytes to the document storage.

mod manifest;
pub mod restore;
pub mod take;

pub use manifest::{Manifest, Missing, FORMAT};
