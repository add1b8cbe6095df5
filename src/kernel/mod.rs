//! Pure domain values shared by the server and the browser: no I/O, no feature gates.

mod choice;
mod fields;
mod page;
mod text;

pub use choice::Choice;
pub use fields::FieldErrors;
pub use page::{Page, PAGE_SIZE};
pub use text::{
    clean, clean_text, optional_date, parse_date, parse_decimal, parse_uuid, prefix_tsquery, Email,
};
