mod form;
mod list;

pub use form::NewTimePage;
pub use list::{MatterTime, TimeListPage};
