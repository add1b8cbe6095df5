//! Search across the firm: clients, their contacts, matters, and documents (names and the text
//! inside them), ranked together, each hit with its matching words highlighted. The `/search`
//! page works without JavaScript; with it, the command palette (Ctrl-K or ⌘-K, on every page)
//! asks the same server function as you type.

pub mod api;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

pub use model::*;
