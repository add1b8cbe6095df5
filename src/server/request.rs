//! Facts about the HTTP request behind a server function call: client address and user agent.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::HeaderMap;

#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn from_parts(parts: &Parts, proxy_hops: usize) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        RequestMeta {
            ip: client_ip(&parts.headers, peer, proxy_hops),
            user_agent: parts
                .headers
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(400).collect()),
        }
    }

    /// The metadata of the current server function call.
    pub fn current() -> Result<Self, crate::error::AppError> {
        let hops = super::AppState::current()?.config.proxy_hops;
        Ok(leptos::prelude::use_context::<Parts>()
            .map(|p| Self::from_parts(&p, hops))
            .unwrap_or_default())
    }
}

/// The client's address. Behind `proxy_hops` trusted proxies, each appended the address it saw
/// to `X-Forwarded-For`, so the client is that many entries from the right: everything further
/// left was written by the client and proves nothing.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, proxy_hops: usize) -> Option<IpAddr> {
    if proxy_hops == 0 {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    // Fewer entries than proxies, or one that is not an address: the chain is not what the
    // configuration says, so nothing in it is trusted.
    let entry = entries
        .len()
        .checked_sub(proxy_hops)
        .and_then(|i| entries.get(i));
    match entry.map(|e| e.parse::<IpAddr>()) {
        Some(Ok(ip)) => Some(ip),
        _ => {
            tracing::debug!(
                ?entries,
                proxy_hops,
                "X-Forwarded-For does not match TRUST_PROXY"
            );
            peer
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_hop() {
        let peer = Some("10.0.0.2".parse().unwrap());
        // The client claims to be 1.1.1.1; nginx appended what it really saw.
        let h = headers(&["1.1.1.1, 203.0.113.9"]);
        assert_eq!(client_ip(&h, peer, 1), Some("203.0.113.9".parse().unwrap()));
        // Two proxies: a load balancer, then nginx.
        let h = headers(&["1.1.1.1", "203.0.113.9, 10.0.0.7"]);
        assert_eq!(client_ip(&h, peer, 2), Some("203.0.113.9".parse().unwrap()));
        // Proxies not trusted: the header is ignored.
        assert_eq!(client_ip(&h, peer, 0), peer);
        // No header, too few entries, or garbage: the peer.
        assert_eq!(client_ip(&HeaderMap::new(), peer, 1), peer);
        assert_eq!(client_ip(&headers(&["203.0.113.9"]), peer, 2), peer);
        assert_eq!(client_ip(&headers(&["203.0.113.9:443"]), peer, 1), peer);
    }
}
