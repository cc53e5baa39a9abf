//! Whether the server runs on Replit (a workspace or a deployment), and the
//! defaults that follow from it: the Repl's bucket, and framing by Replit's preview.

/// Replit sets `REPL_ID` in every Repl, and `REPLIT_DEPLOYMENT` in deployments.
pub fn on_replit() -> bool {
    ["REPL_ID", "REPLIT_DEPLOYMENT"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

/// In a Repl's workspace (not a deployment), the app is shown in Replit's preview
/// pane: a frame inside replit.com.
pub fn in_workspace(deployment: bool) -> bool {
    !deployment && std::env::var_os("REPL_ID").is_some_and(|value| !value.is_empty())
}

pub fn default_frame_ancestors(in_workspace: bool) -> &'static str {
    if in_workspace {
        "'self' https://replit.com https://*.replit.com https://*.replit.dev"
    } else {
        "'none'"
    }
}

pub fn default_bucket_url(on_replit: bool) -> &'static str {
    if on_replit {
        "replit://"
    } else {
        "file://./data"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_replit_the_default_is_the_repls_bucket() {
        assert_eq!(default_bucket_url(true), "replit://");
        assert_eq!(default_bucket_url(false), "file://./data");
    }

    #[test]
    fn only_replits_workspace_may_frame_the_pages() {
        assert_eq!(default_frame_ancestors(false), "'none'");
        assert!(default_frame_ancestors(true).contains("https://replit.com"));
        assert!(
            !in_workspace(true),
            "a deployment is not shown in the workspace"
        );
    }
}
