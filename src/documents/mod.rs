//! Documents: a matter's files, in folders, with every version kept. The bytes are in the
//! storage (`storage`: a folder or S3-compatible object storage) under keys the server makes;
//! the rows say who uploaded what, when, its size, type (read from its bytes, `sniff`) and
//! SHA-256. Uploads (`upload`) and downloads (`download`) are plain HTTP routes, streamed both
//! ways; everything else is a server function (`api`).

pub mod api;
pub mod client_api;
pub mod client_views;
pub mod limits;
pub mod limits_api;
pub mod limits_views;
mod model;
pub mod progress;
pub mod views;
#[cfg(feature = "hydrate")]
mod xhr;

#[cfg(feature = "ssr")]
pub mod download;
#[cfg(feature = "ssr")]
pub mod extract;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod sniff;
#[cfg(feature = "ssr")]
pub mod storage;
#[cfg(feature = "ssr")]
pub mod sweep;
#[cfg(feature = "ssr")]
pub mod text;
#[cfg(feature = "ssr")]
pub mod upload;

pub use model::*;
