//! The script that starts the WASM app. It fetches the app's code only once the
//! page has loaded and the browser is idle: on a slow network the app (181 KB as
//! sent) would otherwise share the line with the first screen's thumbnails, each
//! connection getting an equal part of it (fetched beside them, it made a phone's
//! largest paint about a second later on fast 3G). Until the app starts the page
//! works as plain HTML: links load pages and forms post.

use std::sync::{Arc, OnceLock};

use leptos::config::LeptosOptions;

use super::site_files;

/// How long a page waits for its load before starting the app regardless.
const BACKSTOP_MS: u32 = 6000;

/// The module script's text for a page's head: made once by a release build
/// (the site's files do not change under it), on each page by a development build.
pub fn script(options: &LeptosOptions) -> Arc<str> {
    if cfg!(debug_assertions) {
        return make(options).into();
    }
    static SCRIPT: OnceLock<Arc<str>> = OnceLock::new();
    SCRIPT.get_or_init(|| make(options).into()).clone()
}

fn make(options: &LeptosOptions) -> String {
    let pkg = &options.site_pkg_dir;
    let js = format!("/{pkg}/{}", site_files::name(options, "js"));
    let wasm = format!("/{pkg}/{}", site_files::name(options, "wasm"));
    // The app's script, the WASM and the loader of its chunks are asked for at
    // once (the script would otherwise name the other two only once it is here).
    let loader = site_files::split_loader(options)
        .map(|name| format!("import(\"/{pkg}/{name}\");"))
        .unwrap_or_default();
    // Idle, or two seconds at most: a page that is never idle still starts. And a
    // page whose load never comes (a thumbnail that hangs) starts all the same,
    // once it has waited BACKSTOP_MS.
    format!(
        "(()=>{{let started=false;\
         const start=()=>{{if(started)return;started=true;const wasm=fetch({wasm:?});{loader}\
         import({js:?}).then(app=>app.default({{module_or_path:wasm}}).then(()=>app.hydrate()));}};\
         const idle=()=>'requestIdleCallback' in window?requestIdleCallback(start,{{timeout:2000}}):setTimeout(start);\
         if(document.readyState==='complete')idle();\
         else{{addEventListener('load',idle,{{once:true}});setTimeout(start,{BACKSTOP_MS});}}\
         }})()"
    )
}
