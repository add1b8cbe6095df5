use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;
use crate::kernel::{Choice, FieldErrors};

/// The error of an action's last submission, if it failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || action.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
}

/// The field errors (with typed values) of an action's last failed submission.
pub fn form_errors(error: Signal<Option<AppError>>) -> Signal<Option<FieldErrors>> {
    Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.fields().cloned())))
}

fn shown_value(errors: Signal<Option<FieldErrors>>, key: &'static str, initial: String) -> impl Fn() -> String + Send + Sync + Clone + 'static {
    move || errors.with(|e| e.as_ref().and_then(|e| e.value(key).map(str::to_string))).unwrap_or_else(|| initial.clone())
}

fn error_of(errors: Signal<Option<FieldErrors>>, key: &'static str) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static {
    move || errors.with(|e| e.as_ref().and_then(|e| e.get(key).map(str::to_string)))
}

/// A labelled input named `form[key]`, with its error beside it.
#[component]
pub fn TextField(
    label: &'static str,
    key: &'static str,
    #[prop(into, optional)] value: String,
    errors: Signal<Option<FieldErrors>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] id_prefix: Option<&'static str>,
) -> impl IntoView {
    let id = format!("{}{key}", id_prefix.unwrap_or("f-"));
    let err_id = format!("{id}-error");
    let error = error_of(errors, key);
    let invalid = { let error = error.clone(); move || error().is_some().then_some("true") };
    let described = { let error = error.clone(); let err_id = err_id.clone(); move || error().is_some().then(|| err_id.clone()) };
    view! {
        <div class="field">
            <label for=id.clone()>{label}{required.then_some(" *")}</label>
            <input id=id type=kind name=format!("form[{key}]") value=shown_value(errors, key, value)
                required=required autocomplete=autocomplete aria-invalid=invalid aria-describedby=described />
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {move || error().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
        </div>
    }
}

/// A labelled multi-line input named `form[key]`.
#[component]
pub fn TextArea(
    label: &'static str,
    key: &'static str,
    #[prop(into, optional)] value: String,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] id_prefix: Option<&'static str>,
) -> impl IntoView {
    let id = format!("{}{key}", id_prefix.unwrap_or("f-"));
    let err_id = format!("{id}-error");
    let error = error_of(errors, key);
    let invalid = { let error = error.clone(); move || error().is_some().then_some("true") };
    let text = shown_value(errors, key, value);
    view! {
        <div class="field wide">
            <label for=id.clone()>{label}</label>
            <textarea id=id name=format!("form[{key}]") rows="4" aria-invalid=invalid>{text()}</textarea>
            {move || error().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
        </div>
    }
}

/// A labelled select of a `Choice`, or of free `(value, label)` options.
#[component]
pub fn SelectField(
    label: &'static str,
    key: &'static str,
    options: Vec<(String, String)>,
    #[prop(into, optional)] value: String,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] blank: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] id_prefix: Option<&'static str>,
) -> impl IntoView {
    let id = format!("{}{key}", id_prefix.unwrap_or("f-"));
    let err_id = format!("{id}-error");
    let error = error_of(errors, key);
    let invalid = { let error = error.clone(); move || error().is_some().then_some("true") };
    let current = shown_value(errors, key, value);
    view! {
        <div class="field">
            <label for=id.clone()>{label}{required.then_some(" *")}</label>
            <select id=id name=format!("form[{key}]") aria-invalid=invalid>
                {blank.map(|b| view! { <option value="">{b}</option> })}
                {options.into_iter().map(|(v, l)| {
                    let current = current.clone();
                    let v2 = v.clone();
                    view! { <option value=v selected=move || current() == v2>{l}</option> }
                }).collect_view()}
            </select>
            {move || error().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
        </div>
    }
}

/// `(value, label)` pairs of every value of a `Choice`.
pub fn choices<C: Choice>() -> Vec<(String, String)> {
    C::ALL.iter().map(|c| (c.as_str().to_string(), c.label().to_string())).collect()
}

/// The form-level message of a failed action (validation summary, permission, outage).
#[component]
pub fn FormAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.with(|e| e.as_ref().map(|e| view! { <div class="alert error" role="alert">{e.to_string()}</div> }))
}
