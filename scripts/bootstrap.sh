#!/usr/bin/env bash
# The two commands' shared front door: bring a fresh machine (system Node 20, no pnpm, no Redis)
# to the project's toolchain, then run one mode: start | test | typecheck | bench [file] | live-check [args].
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="$ROOT/.tools"
NODE_VERSION=24.21.0
PNPM_VERSION=12.4.2
mode=${1:-start}
shift || true

log() { printf '[bootstrap] %s\n' "$*" >&2; }

# A project-local Node keeps the system Node (20, end of life) out of the picture entirely.
if [ ! -x "$TOOLS/node_modules/.bin/node" ] || [ ! -x "$TOOLS/node_modules/.bin/pnpm" ] \
   || [ "$("$TOOLS/node_modules/.bin/node" -p process.versions.node 2>/dev/null)" != "$NODE_VERSION" ]; then
  log "installing Node $NODE_VERSION and pnpm $PNPM_VERSION into .tools/"
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"private":true}' > "$TOOLS/package.json"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error -E "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
fi
export PATH="$TOOLS/node_modules/.bin:$PATH"

# Cheap when nothing changed; keeps a fresh clone and a stale checkout on the lockfile.
pnpm install --frozen-lockfile --prefer-offline --reporter=silent >&2

ensure_redis_binary() {
  command -v redis-server >/dev/null 2>&1 && return 0
  log "redis-server not found: installing Debian's redis-server"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >&2
}

# The history-page browser test drives Debian's Chromium (playwright-core brings no browser of its own).
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  log "chromium not found: installing Debian's chromium for the browser test"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
}

# The operator's kit test runs `promtool check rules deploy/prometheus/alerts.yml`; Debian's prometheus ships promtool.
ensure_promtool() {
  command -v promtool >/dev/null 2>&1 && return 0
  log "promtool not found: installing Debian's prometheus for the alert-rules test"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >&2
}

# The ingress benchmark's load generator: wrk (C) costs a few percent of a core where a Node one cost a third.
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  log "wrk not found: installing Debian's wrk for the ingress benchmark"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >&2
}

# appendfsync always: a 202 from /webhooks/crm means the job is on disk (see README "Durability").
start_redis() { # dir port
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --appendonly yes --appendfsync always --maxmemory-policy noeviction --save "" >&2
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log "redis-server did not start; see $dir/redis.log"; exit 1
}

case "$mode" in
  start)
    if [ -z "${REDIS_URL:-}" ]; then
      ensure_redis_binary
      port=${LOCAL_REDIS_PORT:-6399}
      if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
        log "starting redis-server on 127.0.0.1:$port (data in .data/redis, AOF on)"
        start_redis "$ROOT/.data/redis" "$port"
      fi
      export REDIS_URL="redis://127.0.0.1:$port"
    fi
    exec node scripts/start.ts "$@"
    ;;
  test)
    ensure_chromium
    ensure_promtool
    if [ -z "${REDIS_URL:-}" ]; then
      ensure_redis_binary
      dir=$(mktemp -d "${TMPDIR:-/tmp}/dda-test-redis.XXXXXX")
      port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
      start_redis "$dir" "$port"
      trap 'redis-cli -p '"$port"' shutdown nosave >/dev/null 2>&1 || true; rm -rf "'"$dir"'"' EXIT
      export REDIS_URL="redis://127.0.0.1:$port"
      log "throwaway redis-server on 127.0.0.1:$port"
    fi
    # Format and lint first: seconds, and a red tree is red before the suite spends minutes on it.
    pnpm exec biome ci .
    pnpm exec tsc -p tsconfig.json
    pnpm exec vitest run "$@"
    ;;
  typecheck)
    exec pnpm exec tsc -p tsconfig.json
    ;;
  bench)
    ensure_wrk
    ensure_redis_binary
    exec node "${1:-bench/run-all.ts}" "${@:2}"
    ;;
  live-check)
    # One real call through your own Telnyx account (or --simulate): see packages/sandbox/src/live-check.
    exec node scripts/live-check.ts "$@"
    ;;
  *) log "unknown mode $mode"; exit 2 ;;
esac
