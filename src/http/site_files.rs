//! The names cargo-leptos gave the site's files: `{output}.{hash}.{css,js,wasm}`
//! with `hash-files`, the hashes read from the file it writes beside the server
//! binary (`css: …`, `js: …`, `wasm: …` lines), once per process in a release build.

use std::path::PathBuf;
use std::sync::OnceLock;

use leptos::config::LeptosOptions;

/// The file the site's `kind` ("css", "js" or "wasm") is in, under the `/pkg` folder.
pub fn name(options: &LeptosOptions, kind: &str) -> String {
    let mut name = options.output_name.to_string();
    if options.hash_files {
        if let Some(hash) = hash_of(&hashes(options), kind) {
            name = format!("{name}.{hash}");
        }
    } else if kind == "wasm" && option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        // wasm-bindgen's own name, when cargo-leptos did not build this binary.
        name.push_str("_bg");
    }
    format!("{name}.{kind}")
}

/// The split WASM app's loader (`__wasm_split.{hash}.js`, which the app's
/// script imports), when the build made one.
pub fn split_loader(options: &LeptosOptions) -> Option<String> {
    let hash = options
        .hash_files
        .then(|| hash_of(&hashes(options), "split").map(str::to_owned))
        .flatten()
        // cargo-leptos's name for it without hash-files.
        .unwrap_or_else(|| "_".repeat(22));
    let name = format!("__wasm_split.{hash}.js");
    let path = PathBuf::from(&*options.site_root)
        .join(&*options.site_pkg_dir)
        .join(&name);
    path.is_file().then_some(name)
}

/// Where the site's `kind` file is on disk.
pub fn path(options: &LeptosOptions, kind: &str) -> PathBuf {
    PathBuf::from(&*options.site_root)
        .join(&*options.site_pkg_dir)
        .join(name(options, kind))
}

/// The hash file's text: read once by a release build, on each call by a
/// development build (cargo leptos watch rewrites it).
fn hashes(options: &LeptosOptions) -> String {
    let read = || {
        std::env::current_exe()
            .ok()
            .and_then(|exe| std::fs::read_to_string(exe.parent()?.join(&*options.hash_file)).ok())
            .unwrap_or_default()
    };
    if cfg!(debug_assertions) {
        return read();
    }
    static HASHES: OnceLock<String> = OnceLock::new();
    HASHES.get_or_init(read).clone()
}

/// The hash of the `kind` line of the hash file.
fn hash_of<'a>(hashes: &'a str, kind: &str) -> Option<&'a str> {
    hashes.lines().find_map(|line| {
        let (file, hash) = line.trim().split_once(':')?;
        (file.trim() == kind).then(|| hash.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_line_in_the_hash_file() {
        let hashes = "js: abc\nwasm: def\ncss: a2hA7eHmlgmeiADs7lqNKw\nsplit: x\n";
        assert_eq!(hash_of(hashes, "css"), Some("a2hA7eHmlgmeiADs7lqNKw"));
        assert_eq!(hash_of(hashes, "wasm"), Some("def"));
        assert_eq!(hash_of("js: abc\n", "css"), None);
    }
}
