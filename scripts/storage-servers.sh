#!/usr/bin/env bash
# Starts the real object stores the storage tests run against, each on a free
# loopback port with its data in a temporary folder, and exports where they are:
#
#   TEST_MOTO_URL                   moto: full S3 semantics, any credentials
#   TEST_GARAGE_URL                 Garage: a real distributed S3 store, one node
#   TEST_GARAGE_KEY_ID, TEST_GARAGE_SECRET, TEST_GARAGE_REGION
#   TEST_GARAGE_CONFIG              its config file, for the `garage` CLI (buckets)
#
# Sourced by scripts/test; to run the storage tests by hand (then
# `cargo test --features ssr --test stores`):
#   source scripts/tools.sh && install_storage_tools && source scripts/storage-servers.sh
# The servers stop when the shell that sourced this exits.

storage_log() { printf '\033[1m[storage]\033[0m %s\n' "$*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts connections on the port, or gives up saying why.
wait_for_port() {
  local port=$1 name=$2 log=$3
  for _ in $(seq 1 150); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  storage_log "$name did not start on port $port; its log:"
  tail -n 30 "$log" >&2
  return 1
}

STORAGE_DIR=$(mktemp -d)
STORAGE_PIDS=()
stop_storage_servers() {
  for pid in "${STORAGE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STORAGE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  STORAGE_PIDS=()
  rm -rf "$STORAGE_DIR"
}
trap stop_storage_servers EXIT

# moto
moto_port=$(free_port)
moto_server -H 127.0.0.1 -p "$moto_port" >"$STORAGE_DIR/moto.log" 2>&1 &
STORAGE_PIDS+=($!)
wait_for_port "$moto_port" moto "$STORAGE_DIR/moto.log"
export TEST_MOTO_URL="http://127.0.0.1:$moto_port"

# Garage, one node, with one key that the tests give buckets to.
garage_port=$(free_port)
garage_rpc_port=$(free_port)
export TEST_GARAGE_CONFIG="$STORAGE_DIR/garage.toml"
export TEST_GARAGE_KEY_ID="GK$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
export TEST_GARAGE_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export TEST_GARAGE_REGION=garage
cat >"$TEST_GARAGE_CONFIG" <<EOF
metadata_dir = "$STORAGE_DIR/garage/meta"
data_dir = "$STORAGE_DIR/garage/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$garage_rpc_port"
rpc_secret = "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"

[s3_api]
s3_region = "$TEST_GARAGE_REGION"
api_bind_addr = "127.0.0.1:$garage_port"
root_domain = ".s3.garage.localhost"
EOF
GARAGE_DEFAULT_ACCESS_KEY=$TEST_GARAGE_KEY_ID GARAGE_DEFAULT_SECRET_KEY=$TEST_GARAGE_SECRET \
  garage -c "$TEST_GARAGE_CONFIG" server --single-node --default-access-key \
  >"$STORAGE_DIR/garage.log" 2>&1 &
STORAGE_PIDS+=($!)
wait_for_port "$garage_port" Garage "$STORAGE_DIR/garage.log"
# The layout is applied just after the API listens: wait until the CLI is answered.
for _ in $(seq 1 50); do
  garage -c "$TEST_GARAGE_CONFIG" bucket list >/dev/null 2>&1 && break
  sleep 0.2
done
export TEST_GARAGE_URL="http://127.0.0.1:$garage_port"

storage_log "moto at $TEST_MOTO_URL, Garage at $TEST_GARAGE_URL"
