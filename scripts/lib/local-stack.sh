# shellcheck shell=bash
# Sourced by scripts/demo and scripts/bench: a local fake Okta and moto on loopback, and a
# private HOME, exported as the settings okta-aws reads. Everything started here is stopped
# by stop_local_stack (also on exit).

local_stack_pids=()

# cargo_bin_dir debug|release: where cargo puts this project's binaries.
cargo_bin_dir() {
  echo "${CARGO_TARGET_DIR:-$PWD/target}/$1"
}

stop_local_stack() {
  for pid in "${local_stack_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  local_stack_pids=()
}

# start_local_stack WORKDIR BIN_DIR [fake-okta arguments…]
start_local_stack() {
  local work=$1 bin=$2
  shift 2
  python3 tests/moto_launcher.py -H 127.0.0.1 -p 0 </dev/null >/dev/null 2>"$work/moto.log" &
  local_stack_pids+=($!)
  "$bin/fake-okta" "$@" </dev/null >"$work/okta.env" 2>"$work/okta.log" &
  local_stack_pids+=($!)
  for _ in $(seq 200); do
    grep -q 'Running on http://127.0.0.1:' "$work/moto.log" 2>/dev/null \
      && [ "$(wc -l <"$work/okta.env")" -ge 2 ] && break
    sleep 0.05
  done
  MOTO_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/moto.log" | head -n1)
  if [ -z "$MOTO_URL" ]; then
    echo "moto did not start:" >&2
    cat "$work/moto.log" >&2
    return 1
  fi
  set -a
  # shellcheck source=/dev/null
  . "$work/okta.env"
  set +a
  mkdir -p "$work/home"
  printf 'demo-password\n' >"$work/password"
  export HOME="$work/home" MOTO_URL
  export OKTA_USERNAME=demo@example.com OKTA_PASSWORD_CMD="cat $work/password"
  export AWS_ENDPOINT_URL="$MOTO_URL" AWS_DEFAULT_REGION=us-east-1
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
  unset OKTA_PROFILE OKTA_AWS_CONFIG OKTA_AWS_CACHE_DIR AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE
}
