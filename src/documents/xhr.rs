//! The browser's side of uploads (built for the browser only): each chosen file posted on its own
//! to the form's own address with `Accept: application/json`, one after another, its progress
//! read from the request's upload events. The server answers each with an `Outcome`.

use std::rc::Rc;

use leptos::ev::{DragEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{
    File, FormData, HtmlFormElement, HtmlInputElement, ProgressEvent, XmlHttpRequest,
};

use super::progress::{SendState, Sending};
use super::Outcome;
use crate::error::AppError;

struct Upload {
    action: String,
    /// The form's other fields, in its order (the firm first).
    fields: Vec<(String, String)>,
    files: Vec<File>,
    sending: RwSignal<Vec<Sending>>,
    reload: RwSignal<usize>,
}

fn file_input(form: &HtmlFormElement) -> Option<HtmlInputElement> {
    form.query_selector("input[type=file]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
}

pub fn submit(ev: SubmitEvent, sending: RwSignal<Vec<Sending>>, reload: RwSignal<usize>) {
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let Some(input) = file_input(&form) else {
        return;
    };
    let files: Vec<File> = input
        .files()
        .map(|list| (0..list.length()).filter_map(|i| list.item(i)).collect())
        .unwrap_or_default();
    let Ok(entries) = FormData::new_with_form(&form) else {
        return;
    };
    // Every field but the files, as text.
    let fields: Vec<(String, String)> = leptos::web_sys::js_sys::try_iter(&entries.entries())
        .ok()
        .flatten()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let pair = leptos::web_sys::js_sys::Array::from(&entry.ok()?);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    if files.is_empty()
        || sending
            .try_with_untracked(|s| s.iter().any(Sending::unfinished))
            .unwrap_or(true)
    {
        ev.prevent_default();
        return;
    }
    // From here the browser sends the files, not the form.
    ev.prevent_default();
    let upload = Rc::new(Upload {
        action: form.action(),
        fields,
        files,
        sending,
        reload,
    });
    sending.set(
        upload
            .files
            .iter()
            .map(|f| Sending::new(f.name(), f.size()))
            .collect(),
    );
    input.set_value("");
    send(upload, 0);
}

pub fn drop_files(ev: DragEvent) {
    ev.prevent_default();
    let Some(files) = ev.data_transfer().and_then(|d| d.files()) else {
        return;
    };
    let Some(form) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    if files.length() == 0 {
        return;
    }
    if let Some(input) = file_input(&form) {
        input.set_files(Some(&files));
        let _ = form.request_submit();
    }
}

/// Send file `i`, then the next when it is answered.
fn send(upload: Rc<Upload>, i: usize) {
    let Some(file) = upload.files.get(i).cloned() else {
        upload.reload.try_update(|n| *n += 1);
        return;
    };
    let sending = upload.sending;
    let set = move |state: SendState, sent: Option<f64>| {
        sending.try_update(|all| {
            if let Some(f) = all.get_mut(i) {
                f.state = state;
                if let Some(sent) = sent {
                    f.sent = sent;
                }
            }
        });
    };
    let started = (|| {
        let xhr = XmlHttpRequest::new()?;
        xhr.open("POST", &upload.action)?;
        xhr.set_request_header("Accept", "application/json")?;
        let fields = FormData::new()?;
        // The firm first: the server checks it before reading any file.
        for (name, value) in &upload.fields {
            fields.append_with_str(name, value)?;
        }
        fields.append_with_blob_and_filename("files", &file, &file.name())?;
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            set(SendState::Sending, Some(e.loaded()))
        });
        xhr.upload()?
            .set_onprogress(Some(progress.into_js_value().unchecked_ref()));
        let answered = xhr.clone();
        let next = upload.clone();
        let ended = Closure::once_into_js(move || {
            let body = answered.response_text().ok().flatten().unwrap_or_default();
            set(outcome(answered.status().unwrap_or(0), &body), None);
            send(next, i + 1);
        });
        xhr.set_onloadend(Some(ended.unchecked_ref()));
        set(SendState::Sending, Some(0.0));
        xhr.send_with_opt_form_data(Some(&fields))
    })();
    if started.is_err() {
        set(
            SendState::Refused("This browser could not send the file.".into()),
            None,
        );
        send(upload, i + 1);
    }
}

/// What the server said of one file.
fn outcome(status: u16, body: &str) -> SendState {
    if status == 0 {
        return SendState::Refused(
            "The upload was cut off: check the connection and try again.".into(),
        );
    }
    if let Ok(outcome) = serde_json::from_str::<Outcome>(body) {
        if let Some(refused) = outcome.refused.first() {
            return SendState::Refused(refused.message.clone());
        }
        if !outcome.uploaded.is_empty() {
            return SendState::Uploaded;
        }
    }
    match serde_json::from_str::<AppError>(body) {
        Ok(e) => SendState::Refused(e.first_message()),
        Err(_) if status == 413 => {
            SendState::Refused("This file is larger than the server accepts.".into())
        }
        Err(_) => SendState::Refused(format!("The server answered {status}; nothing was stored.")),
    }
}
