//! Plain (JavaScript-off) form posts. Leptos sends a failed post back to its page with the error
//! encoded in the URL (`?__path=…&__err=…`); Docket keeps it in the session instead, for one view
//! of that page, so nothing a user typed lands in URLs, browser history or proxy logs, and a
//! link cannot put words in the app's mouth. URLs that carry such parameters are redirected to
//! the same page without them.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::server_fn::error::ServerFnUrlError;
use tower_sessions::Session;

use super::http::accepts_html;
use super::session::{set_flash, take_flash};
use crate::error::AppError;
use crate::kernel::FieldErrors;
use crate::ui::FormFlash;

const ERROR_PARAMS: [&str; 2] = ["__err", "__path"];

pub async fn form_flash(session: Session, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let api = path.starts_with("/api/");
    let html = accepts_html(req.headers());
    if req.method() == Method::GET {
        if let Some(query) = req.uri().query() {
            if has_error_params(query) {
                return Redirect::to(&with_query(&path, &without_error_params(query)))
                    .into_response();
            }
        }
        if html && !api {
            if let Ok(Some(flash)) = take_flash(&session, &path).await {
                req.extensions_mut().insert(flash);
            }
        }
        return next.run(req).await;
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
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    let Some(err) = pairs.iter().find(|(k, _)| k == "__err").map(|(_, v)| v) else {
        return res;
    };
    let error = ServerFnUrlError::<AppError>::decode_err(err);
    let page = location.path().to_string();
    let rest: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !ERROR_PARAMS.contains(&k.as_str()))
        .cloned()
        .collect();
    let target = with_query(&page, &encode_pairs(&rest));
    let flash = FormFlash {
        action: action.to_string(),
        page,
        error,
    };
    if let Err(e) = set_flash(session, &flash).await {
        return e.into_plain_response();
    }
    match HeaderValue::from_str(&target) {
        Ok(v) => {
            res.headers_mut().insert(header::LOCATION, v);
            res
        }
        Err(_) => Redirect::to("/").into_response(),
    }
}

/// A plain form post that arrived after the session ended: keep what was typed for the form's
/// page, and send the user to sign in and back to that page.
pub async fn keep_post_after_expiry(session: &Session, req: Request) -> Response {
    let action = req.uri().path().to_owned();
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
        .map(|u| with_query(u.path(), u.query().unwrap_or("")))
        .map(|p| crate::auth::safe_next(&p).to_string())
        .unwrap_or_else(|| "/".into());
    let form = req.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
    });
    let body = axum::body::to_bytes(req.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    if form && back != "/" {
        let values: Vec<(String, String)> = url::form_urlencoded::parse(&body)
            .into_owned()
            .map(|(k, v)| (field_key(&k), v))
            .collect();
        let flash = FormFlash {
            action,
            page: back.split('?').next().unwrap_or("/").to_string(),
            error: AppError::SessionEnded(FieldErrors::default().with_values(values)),
        };
        if let Err(e) = set_flash(session, &flash).await {
            return e.into_plain_response();
        }
    }
    let to = if back == "/" {
        "/login".to_string()
    } else {
        format!("/login?{}", encode_pairs(&[("next".into(), back)]))
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
    encode_pairs(&rest)
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
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
}
