use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;
use crate::kernel::{Choice, FieldErrors};

/// The error of an action's last submission, if it failed: from this page's own submission
/// once there was one, else from a plain form post's flash. Never from the URL (an action that
/// was not dispatched here may hold an error decoded from a link).
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
{
    error_after(action, super::seed::flashed_error(S::PATH))
}

/// The error of a plain form post (`<form method="post" action=S::PATH>`) to `S`, flashed to the
/// page it came back to. Such a page reloads on every post, so the error never changes while it
/// is shown, and no `ServerAction` is needed: one would bring the server function's browser-side
/// caller (request encoding, `fetch`, response decoding) into the page's download for nothing.
pub fn post_error<S>() -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError>,
{
    Signal::stored(super::seed::flashed_error(S::PATH))
}

/// The action's own error once it was dispatched here, else `flashed`.
fn error_after<S>(action: ServerAction<S>, flashed: Option<AppError>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        if action.version().get() == 0 {
            return flashed.clone();
        }
        action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
    })
}

/// `action_error` for one of many forms of the same server function on a page (one per row):
/// a plain form post's flashed error is this form's only when it echoes `key` = `row` (the
/// server puts the row's id among the typed values), so one row's refusal is not shown, nor its
/// typed values put, in every other row's form.
pub fn row_action_error<S>(
    action: ServerAction<S>,
    key: &'static str,
    row: uuid::Uuid,
) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
{
    let row = row.to_string();
    let flashed = super::seed::flashed_error(S::PATH)
        .filter(|e| e.fields().and_then(|f| f.value(key)) == Some(row.as_str()));
    error_after(action, flashed)
}

/// Reload a page's data (bump `version`) each time `action` saves successfully. A refused save
/// does not reload: that would replace the form and what the user typed in it.
pub fn reload_on_success<S>(action: ServerAction<S>, version: RwSignal<usize>)
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            version.update(|v| *v += 1);
        }
    });
}

/// The field errors (with typed values) of an action's last failed submission.
pub fn form_errors(error: Signal<Option<AppError>>) -> Signal<Option<FieldErrors>> {
    Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.fields().cloned())))
}

fn shown_value(
    errors: Signal<Option<FieldErrors>>,
    key: &'static str,
    initial: String,
) -> impl Fn() -> String + Send + Sync + Clone + 'static {
    move || {
        errors
            .with(|e| e.as_ref().and_then(|e| e.value(key).map(str::to_string)))
            .unwrap_or_else(|| initial.clone())
    }
}

/// What every labelled control shares: its id, the id of its error line, and the error.
#[derive(Clone)]
struct Meta {
    id: String,
    err_id: String,
    error: Signal<Option<String>>,
}

impl Meta {
    fn new(
        errors: Signal<Option<FieldErrors>>,
        key: &'static str,
        id_prefix: Option<String>,
    ) -> Self {
        let id = format!("{}{key}", id_prefix.as_deref().unwrap_or("f-"));
        let err_id = format!("{id}-error");
        let error = Signal::derive(move || {
            errors.with(|e| e.as_ref().and_then(|e| e.get(key).map(str::to_string)))
        });
        Meta { id, err_id, error }
    }

    fn invalid(&self) -> impl Fn() -> Option<&'static str> + Send + Sync + 'static {
        let error = self.error;
        move || error.with(Option::is_some).then_some("true")
    }

    fn described_by(&self) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let (error, err_id) = (self.error, self.err_id.clone());
        move || error.with(Option::is_some).then(|| err_id.clone())
    }

    fn message(&self) -> impl IntoView {
        let (error, err_id) = (self.error, self.err_id.clone());
        move || {
            error
                .get()
                .map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })
        }
    }
}

/// A labelled input named `form[key]`, with its error beside it.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    key: &'static str,
    #[prop(into, optional)] value: String,
    errors: Signal<Option<FieldErrors>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] id_prefix: Option<String>,
) -> impl IntoView {
    let m = Meta::new(errors, key, id_prefix);
    view! {
        <div class="field">
            <label for=m.id.clone()>{label}{required.then_some(" *")}</label>
            <input id=m.id.clone() type=kind name=format!("form[{key}]") value=shown_value(errors, key, value)
                required=required autocomplete=autocomplete aria-invalid=m.invalid() aria-describedby=m.described_by() />
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {m.message()}
        </div>
    }
}

/// A labelled multi-line input named `form[key]`.
#[component]
pub fn TextArea(
    #[prop(into)] label: String,
    key: &'static str,
    #[prop(into, optional)] value: String,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional, into)] id_prefix: Option<String>,
) -> impl IntoView {
    let m = Meta::new(errors, key, id_prefix);
    let text = shown_value(errors, key, value);
    view! {
        <div class="field wide">
            <label for=m.id.clone()>{label}</label>
            <textarea id=m.id.clone() name=format!("form[{key}]") rows="4" aria-invalid=m.invalid()
                aria-describedby=m.described_by()>{text()}</textarea>
            {m.message()}
        </div>
    }
}

/// A labelled select of `(value, label)` options (see `choices` for a `Choice` enum).
#[component]
pub fn SelectField(
    #[prop(into)] label: String,
    key: &'static str,
    options: Vec<(String, String)>,
    #[prop(into, optional)] value: String,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] blank: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] id_prefix: Option<String>,
) -> impl IntoView {
    let m = Meta::new(errors, key, id_prefix);
    let current = shown_value(errors, key, value);
    view! {
        <div class="field">
            <label for=m.id.clone()>{label}{required.then_some(" *")}</label>
            <select id=m.id.clone() name=format!("form[{key}]") required=required aria-invalid=m.invalid()
                aria-describedby=m.described_by()>
                {blank.map(|b| view! { <option value="">{b}</option> })}
                {options.into_iter().map(|(v, l)| {
                    let current = current.clone();
                    let v2 = v.clone();
                    view! { <option value=v selected=move || current() == v2>{l}</option> }
                }).collect_view()}
            </select>
            {m.message()}
        </div>
    }
}

/// A labelled checkbox named `form[key]` (sent as "on" when ticked, absent when not). After a
/// refused save it shows what the user had ticked.
#[component]
pub fn CheckboxField(
    #[prop(into)] label: String,
    key: &'static str,
    checked: bool,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional, into)] id_prefix: Option<String>,
) -> impl IntoView {
    let m = Meta::new(errors, key, id_prefix);
    let typed = shown_value(errors, key, if checked { "on" } else { "" }.to_string());
    // A refused save echoes every field, so an absent checkbox reads as "" (unticked).
    let ticked = move || !typed().is_empty();
    view! {
        <div class="field check">
            <input id=m.id.clone() type="checkbox" name=format!("form[{key}]") checked=ticked
                aria-invalid=m.invalid() aria-describedby=m.described_by()/>
            <label for=m.id.clone()>{label}</label>
            {m.message()}
        </div>
    }
}

/// The hidden fields of every mutating form: the firm it was rendered for (`org`), and for an
/// edit the version of the row it shows (`version`). The server refuses the form when either is
/// out of date, so a form left open in another tab cannot write into the wrong firm or over
/// someone else's save. After a refused save the fields carry what the server sent back.
#[component]
pub fn FormStamp(
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] version: Option<i32>,
) -> impl IntoView {
    let org = super::session_info()
        .map(|s| s.org_id.to_string())
        .unwrap_or_default();
    view! {
        <input type="hidden" name="org" value=shown_value(errors, "org", org)/>
        {version.map(|v| view! {
            <input type="hidden" name="version" value=shown_value(errors, "version", v.to_string())/>
        })}
    }
}

/// `(value, label)` pairs of every value of a `Choice`.
pub fn choices<C: Choice>() -> Vec<(String, String)> {
    C::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.label().to_string()))
        .collect()
}

/// The form-level message of a failed action (validation summary, permission, outage).
#[component]
pub fn FormAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.with(|e| {
            e.as_ref()
                .map(|e| view! { <div class="alert error" role="alert">{e.to_string()}</div> })
        })
    }
}
