//! Pure domain values shared by the server and the browser: no I/O, no feature gates.

mod choice;
mod cursor;
mod fields;
mod money;
mod page;
mod text;

pub use choice::Choice;
pub use cursor::Cursor;
pub use fields::FieldErrors;
pub use money::{format_money, has_three_minor_digits, minor_digits, parse_money, round_money};
pub use page::{Page, PageRequest, Total, COUNT_CAP, PAGE_SIZE};
pub use text::{
    clean, clip, is_forbidden, multi_line, optional_date, parse_date, parse_uuid, prefix_tsquery,
    single_line, Email, CONTROL_CHARACTERS,
};
