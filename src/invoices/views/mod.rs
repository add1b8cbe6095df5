//! Invoice pages: the list, a new invoice (preview then draft), and one invoice with its
//! actions (discount, remove a line, issue, payments, void).

mod detail;
mod line;
mod list;
mod new;

pub use detail::InvoicePage;
pub use list::{InvoiceListPage, InvoiceTable};
pub use new::NewInvoicePage;
