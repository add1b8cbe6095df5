mod contacts;
mod detail;
mod form;
mod list;

pub use detail::ClientDetailPage;
pub use form::NewClientPage;
pub use list::ClientListPage;
