//! Security headers. App pages get a Content-Security-Policy that allows only what
//! the app loads (its own script, by this response's nonce, its WASM, stylesheet,
//! images and previews), and never framing; raw images get one that lets a
//! browser do nothing but show them; every response gets the rest of the usual set
//! (nosniff, Referrer-Policy, ...) unless its handler chose its own.

use axum::http::{header, HeaderName, HeaderValue};
use leptos::config::LeptosOptions;
use tower_http::set_header::SetResponseHeaderLayer;

/// For raw object bytes: nothing in them may run, load or be framed.
pub const OBJECT_POLICY: &str = "default-src 'none'; sandbox";

/// For responses that are neither pages nor objects (JSON, redirects, errors).
const DEFAULT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// What every answer with an object's bytes carries: the browser must take the
/// type as given, and nothing in the bytes may run, load or be framed.
pub fn only_shown(headers: &mut axum::http::HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(OBJECT_POLICY),
    );
}

/// Pages differ by who asks and carry a new nonce each time: browsers may keep
/// one (for back and forward) but ask again before showing it anew; proxies never.
pub const PAGE_CACHING: &str = "no-cache, private";

/// Sets the page's policy and caching on the response being rendered (called
/// from the shell).
pub fn page_policy(options: &LeptosOptions) {
    use leptos::prelude::use_context;
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let nonce = leptos::nonce::use_nonce()
        .map(|nonce| nonce.to_string())
        .unwrap_or_default();
    // Development builds reload themselves over a websocket (cargo leptos watch).
    let live_reload = if cfg!(debug_assertions) {
        format!(" ws://*:{}", options.reload_port)
    } else {
        String::new()
    };
    // Who may frame the page: no one, unless FRAME_ANCESTORS (or Replit's
    // workspace) says who. The policy takes precedence over X-Frame-Options.
    let ancestors = use_context::<crate::state::AppState>()
        .map(|state| state.policy.frame_ancestors().to_owned())
        .unwrap_or_else(|| "'none'".into());
    let policy = format!(
        "default-src 'none'; \
         script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' blob: data:; \
         connect-src 'self'{live_reload}; \
         font-src 'self'; manifest-src 'self'; form-action 'self'; \
         frame-ancestors {ancestors}; base-uri 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
    response.insert_header(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PAGE_CACHING),
    );
}

/// One header, set when the handler did not set it.
type IfAbsent = SetResponseHeaderLayer<HeaderValue>;

/// The six layers of [`defaults`]: a tuple of layers is one layer.
pub type Defaults = (IfAbsent, IfAbsent, IfAbsent, IfAbsent, IfAbsent, IfAbsent);

/// The headers every response carries unless its handler set its own, as one
/// layer (a router wraps each layer it is given around every route: six would
/// cost six wrappings a request).
pub fn defaults() -> Defaults {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    (
        set(header::CONTENT_SECURITY_POLICY, DEFAULT_POLICY),
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        set(header::REFERRER_POLICY, "same-origin"),
        set(header::X_FRAME_OPTIONS, "DENY"),
        set(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        set(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
    )
}
