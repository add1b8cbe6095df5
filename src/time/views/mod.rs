mod form;
mod list;
mod timer;
mod week;

pub use form::{EditTimePage, NewTimePage};
pub use list::{MatterTime, TimeListPage};
pub use timer::TimerPanel;
pub use week::TimeWeekPage;
