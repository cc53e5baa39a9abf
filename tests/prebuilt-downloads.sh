#!/usr/bin/env bash
# The build tools come as their releases' own binaries where the network allows,
# checked by SHA-256, and are built from source when that fails. A local HTTP
# server lays out archives as the real releases do; cargo is replaced by one that
# notes the source build it was asked for (that build itself is not the test).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/tools.sh
set +e +u

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failed=0
check() { if eval "$2"; then echo "  ok: $1"; else echo "  FAILED: $1" >&2; failed=1; fi; }

# A tool that prints its version, packed as its release packs it.
release() {
  local dir=$1 archive=$2; shift 2
  mkdir -p "$work/pack/$dir"
  for entry in "$@"; do
    printf '#!/bin/sh\necho "%s"\n' "${entry#*=}" >"$work/pack/$dir/${entry%%=*}"
    chmod +x "$work/pack/$dir/${entry%%=*}"
  done
  mkdir -p "$(dirname "$archive")"
  tar -czf "$archive" -C "$work/pack" "${dir%%/*}"
  rm -rf "$work/pack"
}
www=$work/www
bindgen=wasm-bindgen-$WASM_BINDGEN_VERSION-x86_64-unknown-linux-musl
release "$bindgen" "$www/wasm-bindgen/wasm-bindgen/releases/download/$WASM_BINDGEN_VERSION/$bindgen.tar.gz" \
  "wasm-bindgen=wasm-bindgen $WASM_BINDGEN_VERSION" "wasm-bindgen-test-runner=runner" "wasm2es6js=wasm2es6js"
leptos=cargo-leptos-x86_64-unknown-linux-gnu
leptos_archive="$www/leptos-rs/cargo-leptos/releases/download/v$CARGO_LEPTOS_VERSION/$leptos.tar.gz"
release "$leptos" "$leptos_archive" "cargo-leptos=cargo-leptos $CARGO_LEPTOS_VERSION"
# cargo-leptos's release publishes its checksum beside the archive; the others are recorded.
(cd "$(dirname "$leptos_archive")" && sha256sum "$leptos.tar.gz" >"$leptos.tar.gz.sha256")
binaryen="version_$(cut -d. -f2 <<<"$WASM_OPT_VERSION")"
release "binaryen-$binaryen/bin" "$www/WebAssembly/binaryen/releases/download/$binaryen/binaryen-$binaryen-x86_64-linux.tar.gz" \
  "wasm-opt=wasm-opt version 116 ($binaryen)"
{
  echo "# recorded for the test"
  (cd "$www/wasm-bindgen/wasm-bindgen/releases/download/$WASM_BINDGEN_VERSION" && sha256sum "$bindgen.tar.gz")
  echo "0000000000000000000000000000000000000000000000000000000000000000  binaryen-$binaryen-x86_64-linux.tar.gz"
} >"$work/checksums"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$www" "$port" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done

# cargo stands in for the source build: it notes what it was asked and fails.
mkdir -p "$work/fake"
printf '#!/bin/sh\necho "$*" >>"%s"\nexit 1\n' "$work/cargo-calls" >"$work/fake/cargo"
chmod +x "$work/fake/cargo"

# Installs one tool as tools.sh does, in a cache of its own, with nothing on PATH
# but the system's; prints what it logged.
install_with() {
  local base=$1; shift
  env -i "HOME=$HOME" "PATH=$work/fake:/usr/bin:/bin" "CARGO_HOME=$work/cargo-home" "BG_CACHE=$work/cache-$RANDOM" "BG_PREBUILT=${BG_PREBUILT:-on}" \
    "BG_PREBUILT_BASE=$base" "BG_PREBUILT_CHECKSUMS=$work/checksums" "INSTALLED_TO=$work/installed" \
    bash -c 'source scripts/tools.sh; install_crate "$@"; status=$?; cp -R "$BG_CACHE/tools/bin" "$INSTALLED_TO" 2>/dev/null; exit $status' \
    _ "$@" 2>&1
}
local_server="http://127.0.0.1:$port"

echo "a release whose checksum is recorded"
rm -rf "$work/installed" "$work/cargo-calls"
log=$(install_with "$local_server" wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen "$WASM_BINDGEN_VERSION")
check "installed from the release" '"$work/installed/wasm-bindgen" --version | grep -qF "$WASM_BINDGEN_VERSION"'
check "with its other binaries" '[ -x "$work/installed/wasm2es6js" ] && [ -x "$work/installed/wasm-bindgen-test-runner" ]'
check "nothing built from source" '[ ! -e "$work/cargo-calls" ]'

echo "a release checked by the checksum it publishes"
rm -rf "$work/installed" "$work/cargo-calls"
log=$(install_with "$local_server" cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos "$CARGO_LEPTOS_VERSION")
check "installed from the release" '"$work/installed/cargo-leptos" --version | grep -qF "$CARGO_LEPTOS_VERSION"'
check "nothing built from source" '[ ! -e "$work/cargo-calls" ]'

echo "a release with no checksum, neither recorded nor published"
rm -rf "$work/installed" "$work/cargo-calls"
rm "$(dirname "$leptos_archive")/$leptos.tar.gz.sha256"
log=$(install_with "$local_server" cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos "$CARGO_LEPTOS_VERSION")
check "it says so" 'grep -q "no checksum for $leptos.tar.gz" <<<"$log"'
check "the download is not installed" '[ ! -e "$work/installed/cargo-leptos" ]'
check "the tool is built from source" 'grep -q "install --root .* cargo-leptos --version $CARGO_LEPTOS_VERSION" "$work/cargo-calls"'

echo "a release whose archive does not match its recorded checksum"
rm -rf "$work/installed" "$work/cargo-calls"
log=$(install_with "$local_server" wasm-opt "$WASM_OPT_VERSION" wasm-opt "$WASM_OPT_PRINTS" --locked)
check "it says so" 'grep -q "checksum of binaryen-$binaryen-x86_64-linux.tar.gz does not match" <<<"$log"'
check "the download is not installed" '[ ! -e "$work/installed/wasm-opt" ]'
check "the tool is built from source" 'grep -q "install --root .* wasm-opt --version $WASM_OPT_VERSION" "$work/cargo-calls"'

echo "a release server that cannot be reached"
rm -rf "$work/installed" "$work/cargo-calls"
log=$(install_with "http://127.0.0.1:1" wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen "$WASM_BINDGEN_VERSION")
check "it says so" 'grep -q "could not download $bindgen.tar.gz" <<<"$log"'
check "the tool is built from source" 'grep -q "install --root .* wasm-bindgen-cli --version $WASM_BINDGEN_VERSION" "$work/cargo-calls"'

echo "downloads turned off (BG_PREBUILT=off)"
rm -rf "$work/installed" "$work/cargo-calls"
log=$(BG_PREBUILT=off install_with "$local_server" cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos "$CARGO_LEPTOS_VERSION")
check "nothing is downloaded" '! grep -q downloading <<<"$log"'
check "the tool is built from source" 'grep -q "install --root .* cargo-leptos --version $CARGO_LEPTOS_VERSION" "$work/cargo-calls"'
exit $failed
