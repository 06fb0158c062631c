# shellcheck shell=bash
# shellcheck disable=SC2015 # `have A && have B || install`: install when either is missing
# What only the shell does well, for the Makefile's scripts: installing uv and Debian packages,
# and starting the machine's PostgreSQL and Redis when nothing answers. Everything else (the
# settings, the services, PID files, logs, the web build) is Python: `ailp stack` (ailp.devstack).
# Source it; do not run it. After ensure_venv, the endpoints are set (PG_HOST, PG_PORT, PG_URL,
# PG_ADMIN_URL, PG_DB, RD_*, DATABASE_URL, REDIS_URL, AILP_RUN_DIR: `ailp stack shell-env`).
set -Eeuo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT_DIR"
AILP="$ROOT_DIR/.venv/bin/ailp"

if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then C=$'\033[1;34m' G=$'\033[32m' Y=$'\033[1;33m' R=$'\033[1;31m' N=$'\033[0m'; else C='' G='' Y='' R='' N=''; fi
log() { printf '%s==>%s %s\n' "$C" "$N" "$*" >&2; }
ok() { printf '%s ok%s %s\n' "$G" "$N" "$*" >&2; }
warn() { printf '%sWARNING:%s %s\n' "$Y" "$N" "$*" >&2; }
die() { printf '%sERROR:%s %s\n' "$R" "$N" "$*" >&2 && exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
# Wait until "$@" succeeds, polling every 0.2 s, for at most $1 seconds.
wait_until() { local tries=$(($1 * 5)) && shift && until "$@" >/dev/null 2>&1; do ((--tries > 0)) || return 1 && sleep 0.2; done; }
as_root() { if [[ "$(id -u)" -eq 0 ]]; then "$@"; elif have sudo; then sudo "$@"; else die "need root for: $* (not root, no sudo)"; fi; }
# apt-get install (apt-get update first when it fails); all output on stderr.
apt_install() {
    have apt-get || die "apt-get not found; please install these yourself: $*"
    log "installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y --no-install-recommends "$@" >&2 && return 0
    as_root apt-get update >&2
    as_root apt-get install -y --no-install-recommends "$@" >&2 || die "apt-get install $* failed"
}

ensure_uv() {
    export PATH="$PATH:$HOME/.local/bin:$ROOT_DIR/.tools/bin:$HOME/.cargo/bin"
    have uv && return 0
    have python3 || apt_install python3 python3-pip python3-venv
    log "uv not found: installing it (pip --user, else a private venv at .tools/)"
    python3 -m pip install --user --quiet uv 2>/dev/null || {
        rm -rf .tools
        python3 -m venv .tools 2>/dev/null || { rm -rf .tools && apt_install python3-venv python3-pip && python3 -m venv .tools; }
        .tools/bin/python -m pip install --quiet uv
    }
    hash -r
    have uv || die "could not install uv; see https://docs.astral.sh/uv/ and install it by hand"
    ok "uv installed"
}

# `uv sync --frozen` when the venv is missing, a lock/pyproject file changed since the last sync,
# or `ensure_venv force`; then the endpoints.
# shellcheck disable=SC2120 # optional argument: force
ensure_venv() {
    local stamp=.venv/.ailp-synced
    ensure_uv
    if [[ "${1:-}" == force || ! -x "$AILP" || ! -f "$stamp" ]] ||
        [[ -n "$(find uv.lock pyproject.toml shared/pyproject.toml services/*/pyproject.toml -newer "$stamp" 2>/dev/null)" ]]; then
        log "uv sync --frozen"
        uv sync --frozen
        touch "$stamp"
    fi
    local endpoints
    endpoints="$("$AILP" stack shell-env)" || die "a setting in the environment or .env is invalid (see above)"
    eval "$endpoints"
}

is_local_host() { [[ "$1" =~ ^(|127\.0\.0\.1|localhost|::1|/.*)$ ]]; }
pg_answers() { pg_isready -q -h "${PG_HOST:-/var/run/postgresql}" -p "$PG_PORT" -t 3; }
pg_not_starting() { pg_answers || (($? != 1)); } # pg_isready 1: rejecting, i.e. starting up

# Starts a local PostgreSQL when nothing answers at DATABASE_URL (installing it, creating the
# cluster on that port and trusting local TCP logins when this script made the cluster).
ensure_postgres() {
    have pg_isready && have psql || apt_install postgresql-client
    wait_until 60 pg_not_starting || true
    if pg_answers; then ok "PostgreSQL answers on ${PG_HOST:-socket}:$PG_PORT" && return 0; fi
    is_local_host "$PG_HOST" || die "PostgreSQL at $PG_HOST:$PG_PORT (DATABASE_URL) does not answer; it is not local, so start it yourself or fix DATABASE_URL in .env"
    log "nothing answers on ${PG_HOST:-socket}:$PG_PORT: starting a local PostgreSQL"
    local fresh=0 version conf
    compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null && have pg_ctlcluster || { apt_install postgresql && fresh=1; }
    version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$version" ]] || version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)"
    [[ -n "$version" ]] || die "PostgreSQL is installed but no version found in /usr/lib/postgresql"
    conf="/etc/postgresql/$version/main"
    if [[ ! -f "$conf/postgresql.conf" ]]; then
        as_root pg_createcluster --port "$PG_PORT" "$version" main >&2 && fresh=1
    fi
    local port
    port="$(sed -nE 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*([0-9]+).*/\1/p' "$conf/postgresql.conf" | tail -n 1)"
    if [[ "$port" != "$PG_PORT" && "$fresh" -eq 1 ]]; then
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main stop 2>/dev/null || true
        as_root pg_conftool "$version" main set port "$PG_PORT" >&2 && port="$PG_PORT"
    fi
    [[ "$port" == "$PG_PORT" ]] || die "cluster $version/main listens on port $port but DATABASE_URL says $PG_PORT; fix one of them"
    if [[ "$fresh" -eq 1 ]]; then # never edit the pg_hba.conf of a server someone else set up
        as_root sed -E -i 's#^(host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\.0\.0\.1/32|::1/128)[[:space:]]+)[^[:space:]]+#\1trust#' "$conf/pg_hba.conf"
        warn "LOCAL DEVELOPMENT ONLY: $conf/pg_hba.conf now trusts every local TCP connection without a password. For anything shared, set a password in DATABASE_URL and change 'trust' back to 'scram-sha-256'."
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null ||
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_until 30 pg_answers || die "PostgreSQL $version/main did not come up; see /var/log/postgresql/"
    ok "PostgreSQL $version/main is running on port $PG_PORT"
}

rcli() { redis-cli -h "$RD_HOST" -p "$RD_PORT" ${RD_PASSWORD:+-a "$RD_PASSWORD" --no-auth-warning} ${RD_TLS:+--tls} "$@"; }
redis_answers() { [[ "$(rcli ping 2>/dev/null)" == PONG ]]; }

# Starts redis-server (noeviction, append-only, data in .run/redis/<port>) when nothing answers.
ensure_redis() {
    have redis-cli || apt_install redis-tools
    if ! redis_answers && ! have redis-server; then apt_install redis-server; fi
    if redis_answers; then ok "Redis answers on $RD_HOST:$RD_PORT" && return 0; fi
    is_local_host "$RD_HOST" || die "Redis at $RD_HOST:$RD_PORT (REDIS_URL) does not answer; it is not local, so start it yourself or fix REDIS_URL in .env"
    local dir="$AILP_RUN_DIR/redis/$RD_PORT"
    mkdir -p "$dir"
    log "nothing answers on $RD_HOST:$RD_PORT: starting redis-server (data in $dir)"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$RD_PORT" --maxmemory-policy noeviction \
        --appendonly yes --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
        ${RD_PASSWORD:+--requirepass "$RD_PASSWORD"} || die "redis-server failed; see $dir/redis.log"
    wait_until 20 redis_answers || die "Redis did not answer within 20 s; see $dir/redis.log"
    ok "Redis is running on port $RD_PORT (stop it with: redis-cli -p $RD_PORT shutdown)"
}

# Node >= 20 (Vite needs 20.19+) and npm; Debian 12's own nodejs is 18, so say what to do.
ensure_node() {
    have node && have npm || apt_install nodejs npm
    (($(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0) >= 20)) ||
        die "Node $(node -v) is too old for the web app (need >= 20.19): install a newer Node (e.g. https://github.com/nodesource/distributions) and retry"
}
