mod form;
mod list;
mod timer;

pub use form::{EditTimePage, NewTimePage};
pub use list::{MatterTime, TimeListPage};
pub use timer::TimerPanel;
