//! Uploads with a progress bar per file. Without JavaScript the upload form is a plain multipart
//! post of every file at once; in the browser each file is sent on its own (`xhr`), one after
//! another, and its bar shows how much of it has reached the server. Files dropped on the form
//! are sent the same way.

use leptos::ev::{DragEvent, SubmitEvent};
use leptos::prelude::*;
use uuid::Uuid;

use super::human_size;

/// A documents page's upload state, kept while its list reloads: the latest upload's files and
/// their bars, and the folder or matter chosen. A page showing another matter or client (the
/// same page, another id) starts afresh.
#[derive(Debug, Clone, Copy)]
pub struct Uploads {
    pub sending: RwSignal<Vec<Sending>>,
    pub chosen: RwSignal<String>,
}

impl Uploads {
    pub fn for_page(id: Memo<Option<Uuid>>) -> Self {
        let uploads = Uploads {
            sending: RwSignal::new(Vec::new()),
            chosen: RwSignal::new(String::new()),
        };
        Effect::new(move |before: Option<Option<Uuid>>| {
            let now = id.get();
            if before.is_some_and(|b| b != now) {
                uploads.sending.set(Vec::new());
                uploads.chosen.set(String::new());
            }
            now
        });
        uploads
    }
}

/// One file of an upload, as the browser sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sending {
    pub name: String,
    pub total: f64,
    pub sent: f64,
    pub state: SendState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SendState {
    Waiting,
    Sending,
    Uploaded,
    Refused(String),
}

impl Sending {
    pub fn new(name: String, total: f64) -> Self {
        Sending {
            name,
            total,
            sent: 0.0,
            state: SendState::Waiting,
        }
    }

    /// Not yet answered.
    pub fn unfinished(&self) -> bool {
        matches!(self.state, SendState::Waiting | SendState::Sending)
    }

    fn described(&self) -> String {
        match &self.state {
            SendState::Waiting => "Waiting".into(),
            SendState::Sending => format!(
                "{} of {}",
                human_size(self.sent as i64),
                human_size(self.total as i64)
            ),
            SendState::Uploaded => "Uploaded".into(),
            SendState::Refused(why) => why.clone(),
        }
    }
}

/// The form's submit in the browser: its files are sent one by one with their progress, and
/// `reload` is bumped when the last one is answered (both are the page's signals, left alone
/// if the page has gone meanwhile). On the server this never runs.
pub fn submit(ev: SubmitEvent, sending: RwSignal<Vec<Sending>>, reload: RwSignal<usize>) {
    #[cfg(feature = "hydrate")]
    super::xhr::submit(ev, sending, reload);
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, sending, reload);
}

/// Files dropped on the form become its chosen files, and are sent.
pub fn drop_files(ev: DragEvent) {
    #[cfg(feature = "hydrate")]
    super::xhr::drop_files(ev);
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Each file of the latest upload: its bar, and what became of it.
#[component]
pub fn UploadProgress(sending: RwSignal<Vec<Sending>>) -> impl IntoView {
    let summary = move || {
        let files = sending.get();
        let finished = files
            .iter()
            .filter(|f| matches!(f.state, SendState::Uploaded | SendState::Refused(_)))
            .count();
        let uploaded = files
            .iter()
            .filter(|f| f.state == SendState::Uploaded)
            .count();
        let n = files.len();
        let noun = if n == 1 { "file" } else { "files" };
        if n == 0 {
            String::new()
        } else if finished < n {
            format!("Uploading {} of {n} {noun}…", finished + 1)
        } else if uploaded == n {
            format!("Uploaded {n} of {n} {noun}.")
        } else {
            format!(
                "Uploaded {uploaded} of {n} {noun}; {} refused.",
                n - uploaded
            )
        }
    };
    view! {
        <div class="upload-progress" hidden=move || sending.with(Vec::is_empty)>
            <p role="status">{summary}</p>
            <ul aria-label="Upload progress">
                {move || sending.get().into_iter().map(|f| view! {
                    <li class=match f.state { SendState::Refused(_) => "refused", _ => "" }>
                        <span class="name">{f.name.clone()}</span>
                        <progress max=f.total.max(1.0) value=if f.state == SendState::Uploaded { f.total.max(1.0) } else { f.sent }
                            aria-label=format!("Uploading {}", f.name)></progress>
                        <span class="state">{f.described()}</span>
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
}
