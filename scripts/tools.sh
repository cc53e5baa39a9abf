#!/usr/bin/env bash
# Installs (once) every tool bucket-gallery needs to build and test, outside the clone,
# so a machine that has built it before reuses them. Sourced by scripts/run and
# scripts/test; safe to run again: each step is skipped when its tool is already there.
#
#   BG_CACHE   where tools and cargo's target dir live (default ~/.cache/bucket-gallery)
#
# Versions are pinned: wasm-bindgen's CLI must equal the crate version in Cargo.toml.
set -euo pipefail

BG_CACHE="${BG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bucket-gallery}"
export BG_CACHE
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$BG_CACHE/target}"
# cargo's own bin folder, wherever CARGO_HOME puts it (Replit's Rust moves it).
export PATH="$BG_CACHE/tools/bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
WASM_OPT_VERSION=0.116.1
WASM_OPT_PRINTS="version 116 ("  # what `wasm-opt --version` says for that crate (binaryen 116)
GARAGE_VERSION=2.5.0
MOTO_VERSION=5.2.5
PILLOW_VERSION=13.0.0
CARGO_FUZZ_VERSION=0.13.2

log() { printf '\033[1m[tools]\033[0m %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/prebuilt.sh"

# The Rust of rust-toolchain.toml (beside this folder), e.g. 1.95.0.
RUST_TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../rust-toolchain.toml")

# Installs a crate's binary into $BG_CACHE/tools unless `$bin --version` already
# prints `$printed` (the version as that tool writes it). Release LTO is turned off:
# it halves the install time and these tools are not hot paths.
install_crate() {
  local crate=$1 version=$2 bin=$3 printed=$4; shift 4
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -qF "$printed"; then
    return 0
  fi
  # The release's own binary where there is one and the network reaches it.
  install_prebuilt "$crate" "$version" "$bin" "$printed" && return 0
  log "installing $crate $version (once; this takes a while on a new machine)"
  CARGO_TARGET_DIR="$BG_CACHE/tool-build" \
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --root "$BG_CACHE/tools" "$crate" --version "$version" "$@"
  rm -rf "$BG_CACHE/tool-build"
}

# The pinned Rust with the wasm32 standard library the browser side needs: rustup
# installs it where there is one; without rustup (a Rust from Nix), the Rust on
# PATH must already be that recent and have the target.
install_rust() {
  if command -v rustup >/dev/null; then
    rustup toolchain list 2>/dev/null | grep -q "^$RUST_TOOLCHAIN-" || {
      log "installing Rust $RUST_TOOLCHAIN (rust-toolchain.toml) with rustup"
      rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal --target wasm32-unknown-unknown
    }
    rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
      || rustup target add wasm32-unknown-unknown
  fi
  command -v cargo >/dev/null && command -v rustc >/dev/null \
    || fail "cargo not found: install Rust with rustup (https://rustup.rs); on Replit, add \"rustup\" to .replit's [nix] packages"
  local version
  version=$(rustc --version | cut -d' ' -f2)
  [ "$(printf '%s\n%s\n' "$RUST_TOOLCHAIN" "$version" | sort -V | head -n1)" = "$RUST_TOOLCHAIN" ] \
    || fail "rustc $version is older than Rust $RUST_TOOLCHAIN (rust-toolchain.toml) and there is no rustup to install that: install rustup (https://rustup.rs); on Replit, add \"rustup\" to .replit's [nix] packages"
  [ -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib" ] \
    || fail "rustc $version has no wasm32-unknown-unknown standard library (the browser side needs it) and there is no rustup to add it: install rustup (https://rustup.rs); on Replit, add \"rustup\" to .replit's [nix] packages"
}

install_build_tools() {
  install_rust
  # Without --locked: the lock file of wasm-bindgen-cli names a crate version the
  # reachable index may lack; the CLI's own version is pinned all the same.
  install_crate wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen "$WASM_BINDGEN_VERSION"
  install_crate cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  # From crates.io, not Debian: Debian's binaryen 108 emits WASM that fails to hydrate.
  install_crate wasm-opt "$WASM_OPT_VERSION" wasm-opt "$WASM_OPT_PRINTS" --locked
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} with apt"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_test_tools() {
  # Formatting and lints are checked by the tests only: a build never needs them.
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
  # HEIC and AVIF test files are made with libheif (heif-enc), and checked with exiftool.
  apt_install chromium libheif-examples libimage-exiftool-perl
  install_crate cargo-fuzz "$CARGO_FUZZ_VERSION" cargo-fuzz "$CARGO_FUZZ_VERSION" --locked
  # Again whenever the lock file changed since (npm keeps its copy in node_modules).
  if [ ! -f end2end/node_modules/.package-lock.json ] \
    || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing Playwright and axe (no browser download: Debian's Chromium is used)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

# Phone-sized photos for the browser tests' byte budgets (end2end/phone_photos.py
# draws them with Pillow, in a virtualenv of its own), made once and kept in the
# cache under the hash of the script that draws them. Prints their folder.
phone_photos() {
  local venv="$BG_CACHE/tools/photos"
  if [ "$("$venv/bin/python" -c "import PIL; print(PIL.__version__)" 2>/dev/null)" != "$PILLOW_VERSION" ]; then
    log "installing Pillow $PILLOW_VERSION (draws the test photos)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pillow==$PILLOW_VERSION" >&2
  fi
  local folder="$BG_CACHE/fixtures/phone-photos-$(sha256sum end2end/phone_photos.py | cut -c1-12)"
  if [ ! -f "$folder/done" ]; then
    log "drawing 60 phone photos (12 MP) for the browser tests" >&2
    rm -rf "$folder"
    "$venv/bin/python" end2end/phone_photos.py "$folder" 60 >&2
    touch "$folder/done"
  fi
  echo "$folder"
}

# A folder of COUNT photos of MEGAPIXELS drawn from BASES drawings (the others are
# the same pixels with a comment of their own), drawn once and kept under
# $BG_CACHE/fixtures; prints its path. For the benchmarks.
photo_set() {
  local count=$1 megapixels=$2 bases=$3
  phone_photos >/dev/null # installs Pillow
  local folder="$BG_CACHE/fixtures/photos-$count-${megapixels}mp-$(sha256sum end2end/phone_photos.py | cut -c1-12)"
  if [ ! -f "$folder/done" ]; then
    log "drawing $count photos of $megapixels MP"
    rm -rf "$folder"
    "$BG_CACHE/tools/photos/bin/python" end2end/phone_photos.py "$folder" "$count" \
      --megapixels "$megapixels" --bases "$bases" >&2
    touch "$folder/done"
  fi
  echo "$folder"
}

# Real object stores the storage tests run against: moto (full S3 semantics, in a
# virtualenv of its own) and Garage (a real distributed S3 store, built once).
install_storage_tools() {
  local venv="$BG_CACHE/tools/moto"
  if [ "$("$venv/bin/python" -c "import moto; print(moto.__version__)" 2>/dev/null)" != "$MOTO_VERSION" ]; then
    log "installing moto $MOTO_VERSION (S3 server for the storage tests)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  fi
  ln -sf "$venv/bin/moto_server" "$BG_CACHE/tools/bin/moto_server"
  install_crate garage "$GARAGE_VERSION" garage "$GARAGE_VERSION" \
    --locked --no-default-features --features bundled-libs,sqlite
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cd "$(dirname "$0")/.."
  install_build_tools
  if [ "${1:-}" = "--test" ]; then install_test_tools; install_storage_tools; fi
  log "tools ready in $BG_CACHE/tools/bin"
fi
