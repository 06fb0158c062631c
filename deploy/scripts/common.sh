# shellcheck shell=bash
# Shared helpers for the deploy scripts. Source it; do not run it.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
#
# It sets strict mode, finds the repository root, loads `.env` (without overriding variables
# already in the environment, as pydantic-settings does), fills in the settings' defaults and
# provides: logging (log/ok/warn/die), ensure_uv, ensure_venv, ensure_postgres, ensure_redis,
# ensure_database, check_redis_policy, the web app's helpers (ensure_node, ensure_web_deps,
# ensure_web_build, ensure_chromium, run_web_dev) and the PID-file helpers used by up/down/status.

set -Eeuo pipefail

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$SCRIPTS_DIR/../.." && pwd)"
cd "$ROOT_DIR"

# --- logging -----------------------------------------------------------------------------------
if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then
    _C_BLUE=$'\033[34m' _C_GREEN=$'\033[32m' _C_YELLOW=$'\033[33m' _C_RED=$'\033[31m'
    _C_BOLD=$'\033[1m' _C_RESET=$'\033[0m'
else
    _C_BLUE='' _C_GREEN='' _C_YELLOW='' _C_RED='' _C_BOLD='' _C_RESET=''
fi
log() { printf '%s==>%s %s\n' "$_C_BLUE" "$_C_RESET" "$*" >&2; }
ok() { printf '%s ok%s %s\n' "$_C_GREEN" "$_C_RESET" "$*" >&2; }
warn() { printf '%s%sWARNING:%s %s\n' "$_C_BOLD" "$_C_YELLOW" "$_C_RESET" "$*" >&2; }
err() { printf '%s%sERROR:%s %s\n' "$_C_BOLD" "$_C_RED" "$_C_RESET" "$*" >&2; }
die() {
    err "$*"
    exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

# --- .env --------------------------------------------------------------------------------------
# KEY=VALUE lines (an optional `export ` prefix, '#' comments, single or double quotes; no
# ${VAR} interpolation). The file is parsed, not sourced: it is data, and a variable already in
# the environment wins, as with pydantic-settings.
load_env_file() {
    local file="$1" line key value
    local -A values=()
    local -a order=()
    [[ -f "$file" ]] || return 0
    while IFS= read -r line || [[ -n "$line" ]]; do
        line="${line%$'\r'}"
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        line="${line#"${line%%[![:space:]]*}"}"
        line="${line#export }"
        [[ "$line" == *=* ]] || continue
        key="${line%%=*}"
        key="${key%"${key##*[![:space:]]}"}"
        value="${line#*=}"
        value="${value#"${value%%[![:space:]]*}"}"
        [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
        key="${key^^}" # settings are case-insensitive; the scripts read upper-case names
        if [[ "$value" =~ ^\"(.*)\"[[:space:]]*(#.*)?$ ]]; then
            value="${BASH_REMATCH[1]}"
        elif [[ "$value" =~ ^\'(.*)\'[[:space:]]*(#.*)?$ ]]; then
            value="${BASH_REMATCH[1]}"
        else
            value="${value%%[[:space:]]#*}"
            value="${value%"${value##*[![:space:]]}"}"
        fi
        [[ -n "${values[$key]+x}" ]] || order+=("$key")
        values[$key]="$value" # a later line wins, as with python-dotenv
    done <"$file"
    for key in "${order[@]}"; do
        if [[ -z "${!key+x}" ]]; then
            export "$key=${values[$key]}"
        fi
    done
}
load_env_file "$ROOT_DIR/.env"

# --- settings ----------------------------------------------------------------------------------
# The values the scripts use come from the application itself (shared/ailp/config.py reads the
# environment, then .env, then its defaults), so no default is copied here. That needs the venv
# (the repository's .venv or the image's /app/.venv): ensure_venv loads them right after syncing,
# and a script that must not install anything calls require_settings.
SCRIPT_SETTINGS=DATABASE_URL,REDIS_URL,HOST,PORT,WEB_CONCURRENCY,CONTENT_WORKER_CONCURRENCY
SCRIPT_SETTINGS+=,ANALYTICS_WORKER_CONCURRENCY,CONTENT_METRICS_PORT,ANALYTICS_METRICS_PORT
SCRIPT_SETTINGS+=,METRICS_HOST,BACKUP_DIR,BACKUP_AGE_RECIPIENT,BACKUP_GPG_RECIPIENT
SCRIPT_SETTINGS+=,BACKUP_UPLOAD_COMMAND
SETTINGS_LOADED=0

load_settings() {
    local ailp="$ROOT_DIR/.venv/bin/ailp" exported
    [[ -x "$ailp" ]] || return 1
    # --show-secrets: DATABASE_URL may hold a password, and the scripts connect with it.
    exported="$("$ailp" config --export --format shell --show-secrets --keys "$SCRIPT_SETTINGS")" ||
        die "'ailp config --export' failed: a setting in the environment or .env is invalid (see above)"
    eval "$exported"
    SETTINGS_LOADED=1
}

require_settings() {
    [[ "$SETTINGS_LOADED" -eq 1 ]] || load_settings ||
        die "the Python environment is missing (.venv): run 'make install' first"
}

if [[ -x "$ROOT_DIR/.venv/bin/ailp" ]]; then
    load_settings
fi

# Where local state lives: logs, PID files, Prometheus multiprocess folders, a Redis data folder.
# The images set AILP_RUN_DIR=/tmp/ailp (the app folder is not writable there).
export AILP_RUN_DIR="${AILP_RUN_DIR:-$ROOT_DIR/.run}"
RUN_DIR="$AILP_RUN_DIR"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
# shellcheck disable=SC2034 # used by the scripts that source this file
METRICS_BASE_DIR="$RUN_DIR/metrics"

# The background services, in start order.
# shellcheck disable=SC2034
SERVICES=(gateway content-worker analytics-worker sweeper)

# --- privileges and apt ------------------------------------------------------------------------
as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif have sudo; then
        sudo "$@"
    else
        die "need root for: $* (not root and no sudo). Install or start it yourself, then retry."
    fi
}

_APT_UPDATED=0
apt_install() {
    have apt-get || die "apt-get not found; please install these yourself: $*"
    log "installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    # All apt output goes to stderr: callers may run inside $(...).
    if as_root apt-get install -y --no-install-recommends "$@" >&2; then
        return 0
    fi
    [[ "$_APT_UPDATED" -eq 0 ]] || die "apt-get install $* failed"
    log "apt-get install failed; running apt-get update and retrying"
    as_root apt-get update >&2
    _APT_UPDATED=1
    as_root apt-get install -y --no-install-recommends "$@" >&2 || die "apt-get install $* failed"
}

# A Python for small helper snippets: the project's venv if present, else the system's.
py() {
    if [[ -x "$ROOT_DIR/.venv/bin/python" ]]; then
        "$ROOT_DIR/.venv/bin/python" "$@"
    else
        have python3 || apt_install python3
        python3 "$@"
    fi
}

# Monotonic-enough clock in microseconds (bash 5 EPOCHREALTIME; '.' or ',' by locale).
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
# deadline_after SECONDS → prints the deadline; before DEADLINE → true while it is not reached.
deadline_after() { echo $(($(now_us) + $1 * 1000000)); }
before() { (($(now_us) < $1)); }

# Wait until "$@" succeeds, polling every 0.2 s, for at most $1 seconds.
wait_until() {
    local deadline
    deadline="$(deadline_after "$1")"
    shift
    until "$@" >/dev/null 2>&1; do
        before "$deadline" || return 1
        sleep 0.2
    done
}

# --- uv and the venv ----------------------------------------------------------------------------
ensure_uv() {
    if have uv; then return 0; fi
    local dir
    for dir in "$HOME/.local/bin" "$ROOT_DIR/.tools/bin" "$HOME/.cargo/bin"; do
        if [[ -x "$dir/uv" ]]; then
            export PATH="$dir:$PATH"
            return 0
        fi
    done
    have python3 || apt_install python3 python3-pip python3-venv
    log "uv not found: installing it with 'python3 -m pip install --user uv'"
    if python3 -m pip install --user --quiet uv && [[ -x "$HOME/.local/bin/uv" ]]; then
        export PATH="$HOME/.local/bin:$PATH"
        ok "uv installed in ~/.local/bin"
        return 0
    fi
    log "pip --user did not work (PEP 668?); installing uv into a private venv at .tools/"
    rm -rf "$ROOT_DIR/.tools"
    if ! python3 -m venv "$ROOT_DIR/.tools" 2>/dev/null; then
        rm -rf "$ROOT_DIR/.tools"
        apt_install python3-venv python3-pip
        python3 -m venv "$ROOT_DIR/.tools"
    fi
    "$ROOT_DIR/.tools/bin/python" -m pip install --quiet uv
    export PATH="$ROOT_DIR/.tools/bin:$PATH"
    have uv || die "could not install uv; see https://docs.astral.sh/uv/ and install it by hand"
    ok "uv installed in .tools/bin"
}

# `uv sync --frozen` when the venv is missing or a lock/pyproject file changed since the last
# sync (or always with `ensure_venv force`).
# shellcheck disable=SC2120 # optional argument: force
ensure_venv() {
    local stamp="$ROOT_DIR/.venv/.ailp-synced" need=0 f
    if [[ "${1:-}" == force || ! -x "$ROOT_DIR/.venv/bin/python" || ! -f "$stamp" ]]; then
        need=1
    else
        for f in "$ROOT_DIR/uv.lock" "$ROOT_DIR/pyproject.toml" "$ROOT_DIR"/shared/pyproject.toml \
            "$ROOT_DIR"/services/*/pyproject.toml; do
            if [[ -f "$f" && "$f" -nt "$stamp" ]]; then
                need=1
                break
            fi
        done
    fi
    if [[ "$need" -eq 1 ]]; then
        ensure_uv
        log "uv sync --frozen"
        uv sync --frozen
        touch "$stamp"
        ok "venv is up to date (.venv)"
        load_settings
    fi
}

# Put the venv (repo: ./.venv, image: /app/.venv) first on PATH; no uv needed.
use_venv() {
    if [[ -x "$ROOT_DIR/.venv/bin/python" ]]; then
        export VIRTUAL_ENV="$ROOT_DIR/.venv"
        export PATH="$VIRTUAL_ENV/bin:$PATH"
    fi
}

# --- Node and the web app (services/web) ---------------------------------------------------------
WEB_DIR="$ROOT_DIR/services/web"
# shellcheck disable=SC2034 # used by the scripts that source this file
WEB_DIST="$WEB_DIR/dist"
NODE_MIN_MAJOR=20
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Node >= 20 (Vite needs 20.19+) and npm. Installs Debian's nodejs and npm when node is missing;
# Debian 12's own nodejs is 18, so an older Node is reported with what to do about it.
ensure_node() {
    if ! have node || ! have npm; then
        log "Node.js or npm not found: installing Debian's nodejs and npm"
        apt_install nodejs npm
    fi
    if ! have node || ! have npm; then
        die "node/npm still missing after installing them; install Node >= $NODE_MIN_MAJOR"
    fi
    local major
    major="$(node_major)"
    if ((major < NODE_MIN_MAJOR)); then
        die "Node $(node -v) is too old for the web app (need >= $NODE_MIN_MAJOR.19): install a" \
            "newer Node (e.g. https://github.com/nodesource/distributions) and retry"
    fi
}

# `npm ci` when node_modules is missing or older than package-lock.json (npm writes
# node_modules/.package-lock.json on every install).
ensure_web_deps() {
    local stamp="$WEB_DIR/node_modules/.package-lock.json"
    if [[ -f "$stamp" && ! "$WEB_DIR/package-lock.json" -nt "$stamp" ]]; then
        return 0
    fi
    ensure_node || return 1
    log "npm ci (services/web; node $(node -v), npm $(npm -v))"
    (cd "$WEB_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2 || return 1
    ok "web app dependencies are installed (services/web/node_modules)"
}

# True when dist/index.html is missing or any input of the build is newer than it.
web_build_stale() {
    local index="$WEB_DIST/index.html" newer
    [[ -f "$index" ]] || return 0
    newer="$(find "$WEB_DIR/src" "$WEB_DIR/public" "$WEB_DIR/index.html" "$WEB_DIR/package.json" \
        "$WEB_DIR/package-lock.json" "$WEB_DIR/vite.config.ts" "$WEB_DIR"/tsconfig*.json \
        -newer "$index" -type f ! -name '*.test.ts' ! -name '*.test.tsx' -print -quit 2>/dev/null)"
    [[ -n "$newer" ]]
}

# Build the web app into services/web/dist when the build is missing or stale. Returns non-zero
# when it cannot (callers decide whether that is fatal): every step checks its own status, so it
# also works inside `if ( ensure_web_build )`, where `set -e` does not apply.
ensure_web_build() {
    if ! web_build_stale; then
        ok "web app build is up to date (services/web/dist)"
        return 0
    fi
    ensure_web_deps || return 1
    log "building the web app (npm run build, services/web/dist)"
    (cd "$WEB_DIR" && npm run --silent build) >&2 || return 1
    [[ -f "$WEB_DIST/index.html" ]] || return 1
    ok "web app built (services/web/dist)"
}

# Debian's Chromium for the end-to-end tests (Playwright drives it; its own browser download is
# not used).
ensure_chromium() {
    if [[ -x "$CHROMIUM_PATH" ]]; then
        return 0
    fi
    log "Chromium not found at $CHROMIUM_PATH: installing Debian's chromium"
    apt_install chromium
    [[ -x "$CHROMIUM_PATH" ]] || die "chromium is installed but $CHROMIUM_PATH is missing; set CHROMIUM_PATH"
    ok "Chromium $("$CHROMIUM_PATH" --version 2>/dev/null | awk '{print $2}') at $CHROMIUM_PATH"
}

# `make web-dev`: Vite's dev server (hot reload) with /api, /docs and /openapi.json proxied to the
# gateway on PORT (start it with `make up`).
run_web_dev() {
    ensure_web_deps || die "could not install the web app's dependencies (see above)"
    local api_url
    # shellcheck disable=SC2153 # set by load_settings (ailp config --export)
    api_url="http://$(url_host "$HOST"):$PORT"
    if ! http_ok "$api_url/api/health/live"; then
        warn "no gateway answers on $api_url: the app will load but its API calls fail. Start it" \
            "with 'make up' (or set PORT to where it runs)."
    fi
    log "web dev server on http://127.0.0.1:${WEB_DEV_PORT:-5173} (API: $api_url)"
    cd "$WEB_DIR"
    API_PROXY_TARGET="$api_url" exec npm run dev
}

# --- URLs ---------------------------------------------------------------------------------------
is_local_host() {
    case "$1" in
        "" | 127.0.0.1 | localhost | ::1 | /*) return 0 ;;
        *) return 1 ;;
    esac
}

# Sets PG_HOST PG_PORT PG_USER PG_DB PG_URL (libpq form of DATABASE_URL) and PG_ADMIN_URL (the
# same server's `postgres` maintenance database).
parse_database_url() {
    local assignments
    assignments="$(py - "$DATABASE_URL" <<'PY'
import shlex, sys
from urllib.parse import parse_qs, unquote, urlsplit

url = urlsplit(sys.argv[1])
if not url.scheme.startswith("postgres"):
    sys.exit(f"DATABASE_URL is not a postgresql:// URL: {url.scheme}://...")
query = parse_qs(url.query)
host = url.hostname or query.get("host", [""])[0]
port = url.port or int(query.get("port", ["5432"])[0])
user = unquote(url.username or "") or "postgres"
db = unquote(url.path.lstrip("/")) or user
libpq = url._replace(scheme="postgresql")
admin = libpq._replace(path="/postgres")
for name, value in (("PG_HOST", host), ("PG_PORT", port), ("PG_USER", user), ("PG_DB", db),
                    ("PG_URL", libpq.geturl()), ("PG_ADMIN_URL", admin.geturl())):
    print(f"{name}={shlex.quote(str(value))}")
PY
    )" || die "cannot parse DATABASE_URL"
    eval "$assignments"
}

# Sets RD_HOST RD_PORT RD_PASSWORD RD_TLS.
parse_redis_url() {
    local assignments
    assignments="$(py - "$REDIS_URL" <<'PY'
import shlex, sys
from urllib.parse import unquote, urlsplit

url = urlsplit(sys.argv[1])
if url.scheme not in ("redis", "rediss"):
    sys.exit(f"REDIS_URL is not a redis:// URL: {url.scheme}://...")
values = {
    "RD_HOST": url.hostname or "127.0.0.1",
    "RD_PORT": url.port or 6379,
    "RD_PASSWORD": unquote(url.password or ""),
    "RD_TLS": "1" if url.scheme == "rediss" else "",
}
for name, value in values.items():
    print(f"{name}={shlex.quote(str(value))}")
PY
    )" || die "cannot parse REDIS_URL"
    eval "$assignments"
}

# --- PostgreSQL ---------------------------------------------------------------------------------
pg_answers() {
    local host="$PG_HOST"
    [[ -n "$host" ]] || host=/var/run/postgresql
    pg_isready -q -h "$host" -p "$PG_PORT" -t 3
}

ensure_postgres() {
    parse_database_url
    if ! have pg_isready || ! have psql; then
        apt_install postgresql-client
    fi
    local rc=0
    pg_answers || rc=$?
    if [[ "$rc" -eq 1 ]]; then
        # pg_isready 1 = "rejecting connections": a server is there and still starting up.
        log "PostgreSQL on ${PG_HOST:-socket}:$PG_PORT is starting up; waiting"
        wait_until 60 pg_answers && rc=0
    fi
    if [[ "$rc" -eq 0 ]]; then
        ok "PostgreSQL answers on ${PG_HOST:-socket}:$PG_PORT"
        return 0
    fi
    if ! is_local_host "$PG_HOST"; then
        die "PostgreSQL at $PG_HOST:$PG_PORT (DATABASE_URL) does not answer. It is not local, so" \
            "this script will not start it: start it, or fix DATABASE_URL in .env."
    fi

    log "nothing answers on ${PG_HOST:-socket}:$PG_PORT: starting a local PostgreSQL"
    local fresh=0 version conf_dir
    if ! have pg_ctlcluster || ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
        apt_install postgresql
        fresh=1
    fi
    version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null |
        sort -V | tail -n 1)"
    if [[ -z "$version" ]]; then
        version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' |
            sort -V | tail -n 1)"
    fi
    [[ -n "$version" ]] || die "PostgreSQL is installed but no version found in /usr/lib/postgresql"
    conf_dir="/etc/postgresql/$version/main"
    if [[ ! -f "$conf_dir/postgresql.conf" ]]; then
        log "creating cluster $version/main on port $PG_PORT"
        as_root pg_createcluster --port "$PG_PORT" "$version" main >&2
        fresh=1
    fi
    local cluster_port
    cluster_port="$(sed -nE 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*([0-9]+).*/\1/p' \
        "$conf_dir/postgresql.conf" | tail -n 1)"
    if [[ -n "$cluster_port" && "$cluster_port" != "$PG_PORT" && "$fresh" -eq 1 ]]; then
        log "fresh cluster: moving it from port $cluster_port to $PG_PORT (DATABASE_URL)"
        as_root pg_conftool "$version" main set port "$PG_PORT" >&2
        cluster_port="$PG_PORT"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main stop 2>/dev/null || true
    fi
    if [[ -n "$cluster_port" && "$cluster_port" != "$PG_PORT" ]]; then
        die "cluster $version/main listens on port $cluster_port but DATABASE_URL says $PG_PORT;" \
            "fix one of them"
    fi

    if [[ "$fresh" -eq 1 ]]; then
        # Only for a server this script just installed or created: never edit the pg_hba.conf of
        # a server someone already set up.
        log "fresh cluster: allowing password-less TCP logins from 127.0.0.1 and ::1 (trust)"
        as_root sed -E -i \
            's#^(host[[:space:]]+all[[:space:]]+all[[:space:]]+(127\.0\.0\.1/32|::1/128)[[:space:]]+)[^[:space:]]+#\1trust#' \
            "$conf_dir/pg_hba.conf"
        warn "LOCAL DEVELOPMENT ONLY: $conf_dir/pg_hba.conf now trusts every local TCP" \
            "connection (127.0.0.1/32 and ::1/128) without a password. For anything shared," \
            "set a password (ALTER ROLE postgres PASSWORD '...'), put it in DATABASE_URL in .env" \
            "and change 'trust' back to 'scram-sha-256'."
    fi

    if pg_answers; then
        # The package install may have started it already: reload to apply pg_hba.conf.
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
    else
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    fi
    wait_until 30 pg_answers || die "PostgreSQL $version/main did not come up; see" \
        "/var/log/postgresql/postgresql-$version-main.log"
    ok "PostgreSQL $version/main is running on port $PG_PORT"
    if ! psql -X "$PG_ADMIN_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then
        warn "PostgreSQL answers, but '$PG_USER' cannot log in over TCP without a password." \
            "Give DATABASE_URL a password, or allow trust for 127.0.0.1 in pg_hba.conf."
    fi
}

# Create DATABASE_URL's database when it does not exist (connecting to `postgres` on the same
# server). Tests do not need this: they create throw-away databases themselves.
ensure_database() {
    parse_database_url
    local exists
    exists="$(psql -X "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -Atq -v db="$PG_DB" <<'SQL'
SELECT 1 FROM pg_database WHERE datname = :'db';
SQL
    )" || die "cannot connect to PostgreSQL as '$PG_USER' (maintenance database 'postgres');" \
        "check DATABASE_URL"
    if [[ "$exists" == 1 ]]; then
        ok "database '$PG_DB' exists"
        return 0
    fi
    log "creating database '$PG_DB'"
    psql -X "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -q -v db="$PG_DB" <<'SQL'
CREATE DATABASE :"db";
SQL
    ok "database '$PG_DB' created"
}

# --- Redis --------------------------------------------------------------------------------------
rcli() {
    local args=(-h "$RD_HOST" -p "$RD_PORT")
    [[ -n "$RD_PASSWORD" ]] && args+=(-a "$RD_PASSWORD" --no-auth-warning)
    [[ -n "$RD_TLS" ]] && args+=(--tls)
    redis-cli "${args[@]}" "$@"
}
redis_answers() { [[ "$(rcli ping 2>/dev/null)" == PONG ]]; }

ensure_redis() {
    parse_redis_url
    have redis-cli || apt_install redis-tools
    if redis_answers; then
        ok "Redis answers on $RD_HOST:$RD_PORT"
        return 0
    fi
    if ! is_local_host "$RD_HOST"; then
        die "Redis at $RD_HOST:$RD_PORT (REDIS_URL) does not answer. It is not local, so this" \
            "script will not start it: start it, or fix REDIS_URL in .env."
    fi
    if ! have redis-server; then
        apt_install redis-server
        # Debian's package may start its own server on 6379; use it if it is ours to use.
        if redis_answers; then
            ok "Redis answers on $RD_HOST:$RD_PORT"
            return 0
        fi
    fi
    local data_dir="$RUN_DIR/redis/$RD_PORT"
    mkdir -p "$data_dir"
    local args=(--daemonize yes --bind 127.0.0.1 -::1 --port "$RD_PORT"
        --maxmemory-policy noeviction --appendonly yes --dir "$data_dir"
        --pidfile "$data_dir/redis.pid" --logfile "$data_dir/redis.log")
    [[ -n "$RD_PASSWORD" ]] && args+=(--requirepass "$RD_PASSWORD")
    log "nothing answers on $RD_HOST:$RD_PORT: starting redis-server (data in $data_dir)"
    redis-server "${args[@]}" || die "redis-server failed to start; see $data_dir/redis.log"
    wait_until 20 redis_answers || die "Redis did not answer within 20 s; see $data_dir/redis.log"
    ok "Redis is running on port $RD_PORT (stop it with: redis-cli -p $RD_PORT shutdown)"
}

# DESIGN.md: Redis must never evict queue keys.
check_redis_policy() {
    parse_redis_url
    local policy
    if ! policy="$(rcli config get maxmemory-policy 2>/dev/null | sed -n 2p)" || [[ -z "$policy" ]]; then
        warn "could not read Redis maxmemory-policy (CONFIG disabled?). It MUST be 'noeviction'."
        return 0
    fi
    if [[ "$policy" != noeviction ]]; then
        warn "################################################################################"
        warn "Redis at $RD_HOST:$RD_PORT has maxmemory-policy '$policy', not 'noeviction'."
        warn "Under memory pressure Redis will DELETE QUEUED TASKS. Fix it with:"
        warn "  redis-cli -h $RD_HOST -p $RD_PORT config set maxmemory-policy noeviction"
        warn "and set 'maxmemory-policy noeviction' in redis.conf to keep it."
        warn "################################################################################"
    else
        ok "Redis maxmemory-policy is noeviction"
    fi
}

# --- PID files ----------------------------------------------------------------------------------
# .run/pids/<name>.pid holds two lines: the PID (also the process group and session id, as the
# process was started with setsid) and its start time from /proc/<pid>/stat, so a recycled PID is
# never mistaken for ours.
proc_start_time() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat="${stat##*) }"
    # fields after the command: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt
    # majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime(22)
    # shellcheck disable=SC2086
    set -- $stat
    echo "${20}"
}

pid_file() { echo "$PID_DIR/$1.pid"; }

write_pid_file() {
    local name="$1" pid="$2" start
    start="$(proc_start_time "$pid" || echo unknown)"
    mkdir -p "$PID_DIR"
    printf '%s\n%s\n' "$pid" "$start" >"$(pid_file "$name")"
}

# Prints the recorded PID when that process is still the one we started.
recorded_pid() {
    local file pid start now
    file="$(pid_file "$1")"
    [[ -f "$file" ]] || return 1
    { read -r pid && read -r start; } <"$file" || true
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    now="$(proc_start_time "$pid")" || return 1
    # "unknown": it had already exited when the file was written; a process with that PID now is
    # somebody else's.
    [[ "$start" == "$now" ]] || return 1
    local state
    state="$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [[ "$state" != Z ]] || return 1
    echo "$pid"
}

# Prints the recorded process group when anything of it is still alive: the leader we started,
# or (leader gone) its leftover children. A PID is never reused while a process group still
# carries it, so leftovers in group <pid> are ours.
recorded_group() {
    local file pid
    if pid="$(recorded_pid "$1")"; then
        echo "$pid"
        return 0
    fi
    file="$(pid_file "$1")"
    [[ -f "$file" ]] || return 1
    read -r pid <"$file" || return 1
    [[ "$pid" =~ ^[0-9]+$ && ! -e "/proc/$pid" ]] || return 1
    group_alive "$pid" || return 1
    echo "$pid"
}

# Live (non-zombie) members of process group $1.
group_members() {
    local pgid="$1" f stat
    for f in /proc/[0-9]*/stat; do
        { read -r stat <"$f"; } 2>/dev/null || continue
        stat="${stat##*) }"
        # shellcheck disable=SC2086
        set -- $stat
        if [[ "$3" == "$pgid" && "$1" != Z ]]; then
            f="${f#/proc/}"
            echo "${f%/stat}"
        fi
    done
}
group_alive() { [[ -n "$(group_members "$1")" ]]; }
group_gone() { ! group_alive "$1"; }
is_group_leader() {
    local pid="$1" stat
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
    stat="${stat##*) }"
    # shellcheck disable=SC2086
    set -- $stat
    [[ "$3" == "$pid" ]]
}

tail_log() {
    local name="$1" lines="${2:-40}" file="$LOG_DIR/$1.log"
    if [[ -s "$file" ]]; then
        printf '%s----- last %s lines of %s -----%s\n' "$_C_BOLD" "$lines" "${file#"$ROOT_DIR"/}" "$_C_RESET" >&2
        tail -n "$lines" "$file" >&2
        printf '%s----- end of %s -----%s\n' "$_C_BOLD" "$name" "$_C_RESET" >&2
    else
        warn "$name wrote no log ($file is empty or missing)"
    fi
}

# An http(s) GET; prints the status code (000 when nothing answered).
http_status() {
    if have curl; then
        curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" || true
    else
        py - "$1" <<'PY' || true
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as response:
        print(response.status, end="")
except urllib.error.HTTPError as error:
    print(error.code, end="")
except Exception:
    print("000", end="")
PY
    fi
}
http_ok() { [[ "$(http_status "$1")" == 200 ]]; }

# A host to reach a server bound to $1 (0.0.0.0 → 127.0.0.1), bracketed for IPv6.
url_host() {
    case "$1" in
        0.0.0.0 | "") echo 127.0.0.1 ;;
        :: | "[::]") echo "[::1]" ;;
        *:*) echo "[$1]" ;;
        *) echo "$1" ;;
    esac
}
