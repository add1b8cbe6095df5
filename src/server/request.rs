//! Facts about the HTTP request behind a server function call: client address and user agent.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn from_parts(parts: &Parts, trust_proxy: bool) -> Self {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let forwarded = trust_proxy
            .then(|| {
                header("x-real-ip")
                    .or_else(|| header("x-forwarded-for").and_then(|v| v.split(',').next()))
                    .and_then(|v| v.trim().parse::<IpAddr>().ok())
            })
            .flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        RequestMeta {
            ip: forwarded.or(peer),
            user_agent: header("user-agent").map(|s| s.chars().take(400).collect()),
        }
    }

    /// The metadata of the current server function call.
    pub fn current() -> Self {
        let trust = super::AppState::current().config.trust_proxy;
        leptos::prelude::use_context::<Parts>()
            .map(|p| Self::from_parts(&p, trust))
            .unwrap_or_default()
    }
}
