mod detail;
mod form;
mod list;

pub use detail::MatterDetailPage;
pub use form::NewMatterPage;
pub use list::{MatterListPage, MatterTable};
