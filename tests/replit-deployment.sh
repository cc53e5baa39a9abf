#!/usr/bin/env bash
# A Replit deployment's build and start, in an environment as bare as one: no rustup
# on PATH (a Rust from Nix), no rustfmt or clippy, none of .replit's [env] values;
# and cargo found under CARGO_HOME wherever it points. `scripts/build` must succeed there and leave the server
# where .replit's run command looks; that command must start it on every interface
# of the port it is given, and refuse to start without ADMIN_TOKEN, saying where to
# add it. Run by scripts/test after the release build (so it builds nothing anew).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
set +u

bare=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$bare"; }
trap cleanup EXIT

# The pinned Rust's own binaries, without the rustup that chose them.
mkdir -p "$bare/rust/bin" "$bare/bucket"
for tool in cargo rustc rustdoc; do ln -s "$(rustup which "$tool")" "$bare/rust/bin/$tool"; done
# The system's PATH without any folder that holds rustup or cargo.
system_path=$(printf '%s' "$PATH" | tr ':' '\n' \
  | while read -r dir; do [ -x "$dir/rustup" ] || [ -x "$dir/cargo" ] || printf '%s:' "$dir"; done)
system_path=${system_path%:}

echo "the build's tools are ready with cargo in CARGO_HOME/bin wherever that is, no rustup, rustfmt or clippy"
mkdir -p "$bare/elsewhere"
ln -s "$bare/rust/bin" "$bare/elsewhere/bin"
elsewhere=(env -i "HOME=$HOME" "PATH=$system_path" "CARGO_HOME=$bare/elsewhere")
"${elsewhere[@]}" bash -c '! command -v rustup && ! cargo fmt --version && ! cargo clippy --version' >/dev/null 2>&1 \
  || { echo "the bare environment still has rustup, rustfmt or clippy" >&2; exit 1; }
"${elsewhere[@]}" bash -c 'source scripts/tools.sh && install_build_tools && [ "$(command -v cargo)" = "$CARGO_HOME/bin/cargo" ]' \
  || { echo "scripts/tools.sh could not ready the build's tools there" >&2; exit 1; }

# The build itself keeps cargo's usual CARGO_HOME: the paths of its downloaded
# crates are part of what cargo compares, and another would rebuild everything
# (so cargo can reach rustfmt and clippy there; the step above shows no need).
bare_env=(env -i "HOME=$HOME" "PATH=$bare/rust/bin:$system_path" "CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}" "TERM=dumb")
"${bare_env[@]}" bash -c '! command -v rustup' >/dev/null 2>&1 || { echo "rustup is still on PATH" >&2; exit 1; }

echo "building as a deployment does (scripts/build)"
"${bare_env[@]}" scripts/build
[ -x dist/bucket-gallery ] && [ -d dist/site/pkg ] || { echo "scripts/build left no dist/bucket-gallery and dist/site" >&2; exit 1; }

run_command=$(python3 -c 'import tomllib; print(tomllib.load(open(".replit", "rb"))["deployment"]["run"][-1])')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
deployment=("${bare_env[@]}" REPLIT_DEPLOYMENT=1 "PORT=$port" "BUCKET_URL=file://$bare/bucket" RUST_LOG=warn)

echo "without ADMIN_TOKEN, the deployment refuses to start"
if refusal=$("${deployment[@]}" sh -c "$run_command" 2>&1); then
  echo "it started without ADMIN_TOKEN" >&2; exit 1
fi
grep -q "ADMIN_TOKEN is not set" <<<"$refusal" && grep -q "Secrets" <<<"$refusal" \
  || { echo "the refusal does not say what to do: $refusal" >&2; exit 1; }

echo "with ADMIN_TOKEN, it serves on every interface of PORT"
"${deployment[@]}" ADMIN_TOKEN=deployment-test-token sh -c "$run_command" &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
ss -ltn "sport = :$port" | grep -q "0.0.0.0:$port\|\*:$port" \
  || { echo "it does not listen on every interface:"; ss -ltn "sport = :$port"; exit 1; } >&2
page=$(curl -fsS "http://127.0.0.1:$port/")
# The page carries the built stylesheet and names the app's script: both come from
# the site folder, so the deployment found it.
grep -q '<style nonce="[^"]*">[^<]' <<<"$page" \
  || { echo "the page carries no stylesheet: the site was not found" >&2; exit 1; }
script=$(grep -o '/pkg/[^"]*\.js' <<<"$page" | head -n1)
[ -n "$script" ] && curl -fsS -o /dev/null "http://127.0.0.1:$port$script" \
  || { echo "the page's script ${script:-(none named)} is not served: the site was not found" >&2; exit 1; }
echo "the deployment build and start work"
