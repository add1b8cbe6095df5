//! What a page view starts from, and plain (JavaScript-off) form posts.
//!
//! A page request gets the signed-in session (`SessionInfo`) and its form flash put into the
//! request's extensions, which the shell renders into the page (`ui::PageSeed`).
//!
//! Leptos sends a failed plain form post back to its page with the error encoded in the URL
//! (`?__path=…&__err=…`); Docket keeps it in the session instead, for one view of that page, so
//! nothing a user typed lands in URLs, browser history or proxy logs, and a link cannot put words
//! in the app's mouth. URLs that carry such parameters are redirected to the same page without
//! them.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::server_fn::error::ServerFnUrlError;
use tower_sessions::Session;

use super::gate::{is_open_page, is_public};
use super::http::accepts_html;
use super::session::{ended_user, session_user, set_flash, take_flash, SessionUser};
use super::AppState;
use crate::auth::caller::PageScope;
use crate::error::AppError;
use crate::kernel::FieldErrors;
use crate::ui::{query_string, FormFlash};

const ERROR_PARAMS: [&str; 2] = ["__err", "__path"];

pub async fn page_context(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let api = path.starts_with("/api/");
    let html = accepts_html(req.headers());
    if req.method() == Method::GET {
        let query = req.uri().query().unwrap_or("").to_owned();
        if has_error_params(&query) {
            return Redirect::to(&local(&path, &without_error_params(&query))).into_response();
        }
        // Pages only: not the API, assets, or files such as the activity export.
        let file = path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
        if api || file || is_public(&path) && !is_open_page(&path) {
            return next.run(req).await;
        }
        let (mut parts, body) = req.into_parts();
        let viewer = parts.extensions.get::<SessionUser>().map(|u| u.user_id);
        // One transaction for the whole page view, starting with the session it shows.
        let scope = PageScope::default();
        if viewer.is_some() {
            match scope.open(&state, &session, &parts).await {
                Ok(info) => {
                    parts.extensions.insert(info);
                    parts.extensions.insert(scope.clone());
                }
                Err(AppError::Unauthorized) => return Redirect::to("/login").into_response(),
                Err(e) => return e.into_plain_response(),
            }
        }
        if html {
            if let Ok(Some(flash)) = take_flash(&session, &local(&path, &query), viewer).await {
                parts.extensions.insert(flash);
            }
        }
        let res = next.run(Request::from_parts(parts, body)).await;
        // Pages render whole before they are sent (async SSR): the connection goes back now.
        scope.close().await;
        return res;
    }
    if req.method() == Method::POST && api && html {
        let res = next.run(req).await;
        return keep_error(&session, &path, res).await;
    }
    next.run(req).await
}

/// Move the error of a form post's redirect from its `Location` into the session.
async fn keep_error(session: &Session, action: &str, mut res: Response) -> Response {
    let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
    else {
        return res;
    };
    let Some(err) = location
        .query_pairs()
        .find(|(k, _)| k == "__err")
        .map(|(_, v)| v.into_owned())
    else {
        return res;
    };
    let error = ServerFnUrlError::<AppError>::decode_err(&err);
    let page = local(
        location.path(),
        &without_error_params(location.query().unwrap_or("")),
    );
    let user = match session_user(session).await {
        Ok(u) => u.map(|u| u.user_id),
        Err(e) => return e.into_plain_response(),
    };
    // Typed values are for the person who typed them only.
    let user = user.filter(|_| error.fields().is_some());
    let flash = FormFlash {
        action: action.to_string(),
        page: page.clone(),
        error,
        user,
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    if let Err(e) = set_flash(session, flash).await {
        return e.into_plain_response();
    }
    match HeaderValue::from_str(&page) {
        Ok(v) => {
            res.headers_mut().insert(header::LOCATION, v);
            res
        }
        Err(_) => Redirect::to("/").into_response(),
    }
}

/// A plain form post that arrived after its session ended: keep what was typed for the person
/// whose session it was, and send them to sign in and back to the form's page. From a browser
/// that was not signed in before, nothing is kept.
pub async fn keep_post_after_expiry(session: &Session, req: Request) -> Response {
    let action = req.uri().path().to_owned();
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
        .map(|u| local(u.path(), u.query().unwrap_or("")))
        .map(|p| crate::auth::safe_next(&p).to_string())
        .unwrap_or_else(|| "/".into());
    let form = req.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
    });
    let owner = match ended_user(session).await {
        Ok(owner) => owner,
        Err(e) => return e.into_plain_response(),
    };
    if let (Some(owner), true, false) = (owner, form, back == "/") {
        let Ok(body) = axum::body::to_bytes(req.into_body(), usize::MAX).await else {
            return AppError::BadRequest("the form could not be read".into()).into_plain_response();
        };
        let values: Vec<(String, String)> = url::form_urlencoded::parse(&body)
            .into_owned()
            .map(|(k, v)| (field_key(&k), v))
            .collect();
        let flash = FormFlash {
            action,
            page: back.clone(),
            error: AppError::SessionEnded(FieldErrors::default().with_values(values)),
            user: Some(owner),
            at: time::OffsetDateTime::now_utc().unix_timestamp(),
        };
        if let Err(e) = set_flash(session, flash).await {
            return e.into_plain_response();
        }
    }
    let to = if back == "/" {
        "/login".to_string()
    } else {
        format!("/login{}", query_string(&[("next", back)]))
    };
    Redirect::to(&to).into_response()
}

/// `form[name]` → `name`: the key a form field's value is looked up by.
fn field_key(k: &str) -> String {
    k.strip_prefix("form[")
        .and_then(|k| k.strip_suffix(']'))
        .unwrap_or(k)
        .to_string()
}

fn has_error_params(query: &str) -> bool {
    url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| ERROR_PARAMS.contains(&&*k))
}

fn without_error_params(query: &str) -> String {
    let rest: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| !ERROR_PARAMS.contains(&k.as_str()))
        .collect();
    let pairs: Vec<(&str, String)> = rest.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    query_string(&pairs).trim_start_matches('?').to_string()
}

/// A same-site target: exactly one leading slash (`//evil.example` would leave the site), then
/// the query if there is one.
fn local(path: &str, query: &str) -> String {
    let path = format!("/{}", path.trim_start_matches(['/', '\\']));
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

impl AppError {
    /// This error as a plain response, for middleware that runs outside any server function.
    pub fn into_plain_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, self.to_string()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_parameters_are_removed_and_the_rest_kept() {
        let q = "status=open&__path=%2Fapi%2Fauth%2Flogin&__err=eyJDb25mbGljdCI6ImhpIn0&page=2";
        assert!(has_error_params(q));
        assert_eq!(without_error_params(q), "status=open&page=2");
        assert!(!has_error_params("status=open"));
        assert_eq!(field_key("form[notes]"), "notes");
        assert_eq!(field_key("version"), "version");
    }

    #[test]
    fn targets_stay_on_the_site() {
        assert_eq!(local("//evil.example", ""), "/evil.example");
        assert_eq!(local("/\\evil.example", "a=1"), "/evil.example?a=1");
        assert_eq!(local("/clients", ""), "/clients");
    }
}
