//! Whether a request that changes something comes from this site's own pages:
//! the Origin (else Referer) header against the host the request was sent to.

use axum::http::{header, HeaderMap};

/// Whether a state-changing request comes from this site's own pages. Browsers
/// send `Origin` on every cross-site POST; a request with neither `Origin` nor
/// `Referer` is not from a browser page (curl, a script) and is let through
/// to the sign-in check.
pub fn from_this_site(headers: &HeaderMap, authority: Option<&str>) -> bool {
    // HTTP/2 names the host in the request's authority rather than a header.
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or(authority)
        .map(without_default_port)
    else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok());
    match source {
        None => headers
            .get("sec-fetch-site")
            .is_none_or(|site| site.as_bytes() != b"cross-site"),
        Some(source) => url::Url::parse(source).is_ok_and(|url| {
            let authority = match (url.host_str(), url.port()) {
                (Some(h), Some(port)) => format!("{h}:{port}"),
                (Some(h), None) => h.to_string(),
                (None, _) => return false,
            };
            authority.eq_ignore_ascii_case(&host)
        }),
    }
}

fn without_default_port(host: &str) -> String {
    host.strip_suffix(":80")
        .or_else(|| host.strip_suffix(":443"))
        .unwrap_or(host)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn a_post_from_this_site_passes_and_one_from_elsewhere_does_not() {
        let host = ("host", "127.0.0.1:3000");
        assert!(from_this_site(
            &headers(&[host, ("origin", "http://127.0.0.1:3000")]),
            None
        ));
        assert!(!from_this_site(
            &headers(&[host, ("origin", "https://evil.example")]),
            None
        ));
        assert!(!from_this_site(&headers(&[host, ("origin", "null")]), None));
        assert!(from_this_site(
            &headers(&[host, ("referer", "http://127.0.0.1:3000/x")]),
            None
        ));
        assert!(!from_this_site(
            &headers(&[host, ("referer", "http://127.0.0.1:3001/")]),
            None
        ));
        assert!(
            from_this_site(&headers(&[host]), None),
            "curl sends neither"
        );
        assert!(!from_this_site(
            &headers(&[host, ("sec-fetch-site", "cross-site")]),
            None
        ));
    }

    #[test]
    fn over_http2_the_authority_names_the_host() {
        let origin = headers(&[("origin", "https://gallery.example")]);
        assert!(from_this_site(&origin, Some("gallery.example")));
        assert!(!from_this_site(&origin, Some("other.example")));
    }

    #[test]
    fn default_ports_do_not_matter() {
        assert!(from_this_site(
            &headers(&[
                ("host", "gallery.example:443"),
                ("origin", "https://gallery.example"),
            ]),
            None
        ));
    }
}
