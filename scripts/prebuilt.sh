#!/usr/bin/env bash
# Official prebuilt binaries of the pinned build tools (cargo-leptos, wasm-bindgen,
# binaryen's wasm-opt), tried before building them from source. Sourced by tools.sh.
#
# An archive is used only when its SHA-256 matches: the one recorded in
# scripts/prebuilt.sha256 for that file, or, for a file not recorded there, the
# checksum file the release publishes beside it. Anything else (no network, a
# missing release, a wrong checksum, a binary that does not print the pinned
# version) is said in one line, and the caller builds the tool from source.
#
#   BG_PREBUILT            off: always build from source. Default: on.
#   BG_PREBUILT_BASE       where releases are (default https://github.com); tests
#                          point it at a local server laid out the same way.
#   BG_PREBUILT_CHECKSUMS  the recorded checksums (default scripts/prebuilt.sha256).

BG_PREBUILT_BASE="${BG_PREBUILT_BASE:-https://github.com}"
BG_PREBUILT_CHECKSUMS="${BG_PREBUILT_CHECKSUMS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/prebuilt.sha256}"

# Where a tool's release archive is, and which files of it to install:
# prints "URL|file in the archive|file in the archive...". Linux x86_64 only.
prebuilt_release() {
  local crate=$1 version=$2
  [ "$(uname -sm)" = "Linux x86_64" ] || return 1
  case "$crate" in
    cargo-leptos)
      local name=cargo-leptos-x86_64-unknown-linux-gnu
      echo "$BG_PREBUILT_BASE/leptos-rs/cargo-leptos/releases/download/v$version/$name.tar.gz|$name/cargo-leptos" ;;
    wasm-bindgen-cli)
      local name="wasm-bindgen-$version-x86_64-unknown-linux-musl"
      echo "$BG_PREBUILT_BASE/wasm-bindgen/wasm-bindgen/releases/download/$version/$name.tar.gz|$name/wasm-bindgen|$name/wasm-bindgen-test-runner|$name/wasm2es6js" ;;
    wasm-opt)
      # The wasm-opt crate x.y.z wraps binaryen version_y.
      local binaryen="version_$(cut -d. -f2 <<<"$version")"
      echo "$BG_PREBUILT_BASE/WebAssembly/binaryen/releases/download/$binaryen/binaryen-$binaryen-x86_64-linux.tar.gz|binaryen-$binaryen/bin/wasm-opt" ;;
    *) return 1 ;;
  esac
}

# The SHA-256 the archive at $1 must have: recorded here, else the release's own.
prebuilt_expected_sum() {
  local url=$1 file
  file=$(basename "$url")
  local recorded
  recorded=$(awk -v f="$file" '$2 == f { print $1 }' "$BG_PREBUILT_CHECKSUMS" 2>/dev/null | head -n1)
  if [ -n "$recorded" ]; then echo "$recorded"; return 0; fi
  local published
  for suffix in .sha256 .sha256sum; do
    published=$(curl -fsSL --connect-timeout 10 --max-time 60 "$url$suffix" 2>/dev/null | awk '{ print $1; exit }')
    if [[ "$published" =~ ^[0-9a-f]{64}$ ]]; then echo "$published"; return 0; fi
  done
  return 1
}

# Installs `bin` of `crate` at `version` from its release into $BG_CACHE/tools/bin,
# if it can and the binary prints `printed` with --version. Says why not, else.
install_prebuilt() {
  [ "${BG_PREBUILT:-on}" != off ] || return 1
  local work status
  work=$(mktemp -d)
  install_prebuilt_in "$work" "$@"
  status=$?
  rm -rf "$work"
  return $status
}

install_prebuilt_in() {
  local work=$1 crate=$2 version=$3 bin=$4 printed=$5
  command -v curl >/dev/null || { log "no curl: $crate is built from source"; return 1; }
  local release
  release=$(prebuilt_release "$crate" "$version") || return 1
  local url=${release%%|*} file
  file=$(basename "$url")
  local -a members
  IFS='|' read -ra members <<<"${release#*|}"
  log "downloading $crate $version: $url"
  if ! curl -fsSL --connect-timeout 10 --max-time 600 -o "$work/archive" "$url"; then
    log "could not download $file; building $crate from source instead"
    return 1
  fi
  local expected actual
  if ! expected=$(prebuilt_expected_sum "$url"); then
    log "no checksum for $file (neither recorded nor published): building $crate from source instead"
    return 1
  fi
  actual=$(sha256sum "$work/archive" | cut -d' ' -f1)
  if [ "$actual" != "$expected" ]; then
    log "the checksum of $file does not match ($actual, expected $expected): discarded; building $crate from source instead"
    return 1
  fi
  mkdir -p "$work/unpacked" "$BG_CACHE/tools/bin"
  if ! tar -xzf "$work/archive" -C "$work/unpacked" 2>/dev/null; then
    log "$file is not a readable archive: building $crate from source instead"
    return 1
  fi
  local member
  for member in "${members[@]}"; do
    [ -f "$work/unpacked/$member" ] || { log "$file has no $member: building $crate from source instead"; return 1; }
  done
  for member in "${members[@]}"; do
    install -m 0755 "$work/unpacked/$member" "$BG_CACHE/tools/bin/$(basename "$member")"
  done
  if ! "$BG_CACHE/tools/bin/$bin" --version 2>/dev/null | grep -qF "$printed"; then
    log "the downloaded $bin does not run here or is not $printed: building $crate from source instead"
    for member in "${members[@]}"; do rm -f "$BG_CACHE/tools/bin/$(basename "$member")"; done
    return 1
  fi
  log "installed $crate $version from its release (sha256 $actual)"
}
