#!/usr/bin/env bash
# Start the whole platform locally, in the background:
#   PostgreSQL and Redis (when local and not running), the database, migrations, the web app's
#   build (when missing or stale), then the gateway (serving the API and the web app), one content
#   worker, one analytics worker and the sweeper.
# Logs: .run/logs/<name>.log   PIDs: .run/pids/<name>.pid   Stop: make down
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

READY_TIMEOUT="${READY_TIMEOUT:-90}"

ensure_uv
ensure_venv
ensure_jwt_secret
ensure_postgres
ensure_redis
check_redis_policy
ensure_database

mkdir -p "$LOG_DIR" "$PID_DIR"
log "migrating the database (log: ${LOG_DIR#"$ROOT_DIR"/}/migrate.log)"
printf '\n===== %s: migrate =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$LOG_DIR/migrate.log"
if ! "$SCRIPTS_DIR/run-service.sh" migrate >>"$LOG_DIR/migrate.log" 2>&1; then
    tail_log migrate
    die "migration failed (see above); nothing was started"
fi
ok "database is at the latest migration"

# The web app (services/web): built when missing or stale, served by the gateway at / from the
# same origin as the API. A failed build is not fatal: the API starts without the app.
web_app=""
if [[ -z "${WEB_DIST_DIR:-}" || "$(realpath -m "$WEB_DIST_DIR")" == "$WEB_DIST" ]]; then
    if (ensure_web_build); then
        export WEB_DIST_DIR="$WEB_DIST"
        web_app="$WEB_DIST_DIR"
    else
        unset WEB_DIST_DIR
        warn "################################################################################"
        warn "The web app could not be built (see above). Starting the API WITHOUT it."
        warn "Fix the problem, then run 'make web-build' and 'make down && make up'."
        warn "################################################################################"
    fi
elif [[ -f "$WEB_DIST_DIR/index.html" ]]; then
    web_app="$WEB_DIST_DIR" # set in the environment or .env: served as it is
else
    warn "WEB_DIST_DIR=$WEB_DIST_DIR has no index.html: the gateway will not serve a web app"
fi
# No job control: then a background child is not a process-group leader, so `setsid` below
# calls setsid() in place instead of forking, and $! is the new session's leader (PGID = PID).
set +m

# A port already taken by something that is not ours makes the service fail; say so up front.
port_of() {
    case "$1" in
        gateway) echo "$PORT" ;;
        content-worker) echo "$CONTENT_METRICS_PORT" ;;
        analytics-worker) echo "$ANALYTICS_METRICS_PORT" ;;
        *) echo "" ;;
    esac
}
bind_host_of() {
    # shellcheck disable=SC2153 # METRICS_HOST: set by load_settings (ailp config --export)
    case "$1" in
        gateway) echo "$HOST" ;;
        *) echo "$METRICS_HOST" ;;
    esac
}
port_busy() {
    py - "$1" "$2" <<'PY'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
try:
    socket.create_connection((host, port), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

started=()
watched=() # started now or already running
skipped=()
for name in "${SERVICES[@]}"; do
    if pid="$(recorded_pid "$name")"; then
        ok "$name is already running (pid $pid); leaving it alone"
        watched+=("$name")
        continue
    fi
    if group="$(recorded_group "$name")"; then
        err "$name: its main process is gone but processes of its group $group still run;" \
            "run 'make down' first (it stops them), then 'make up'"
        skipped+=("$name")
        continue
    fi
    port="$(port_of "$name")"
    if [[ -n "$port" && "$port" != 0 ]] && port_busy "$(bind_host_of "$name")" "$port"; then
        err "$name: port $port is already in use by another process; set a different port in" \
            ".env (PORT, CONTENT_METRICS_PORT, ANALYTICS_METRICS_PORT) or stop that process"
        skipped+=("$name")
        continue
    fi
    rm -f "$(pid_file "$name")"
    printf '\n===== %s: starting %s =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" >>"$LOG_DIR/$name.log"
    # setsid: its own session and process group (PGID = PID), so `make down` can stop it and all
    # of its children, and nothing else. nohup: it survives the end of this shell.
    setsid nohup "$SCRIPTS_DIR/run-service.sh" "$name" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
    pid="$!"
    write_pid_file "$name" "$pid"
    started+=("$name")
    watched+=("$name")
    if ! wait_until 2 is_group_leader "$pid" && recorded_pid "$name" >/dev/null; then
        warn "$name (pid $pid) did not become a process-group leader; 'make down' may miss" \
            "its children"
    fi
    log "started $name (pid $pid)"
done

# --- readiness -----------------------------------------------------------------------------------
# Poll with one deadline; stop early when a service we started dies.
deadline="$(deadline_after "$READY_TIMEOUT")"
api_host="$(url_host "$HOST")"
metrics_host="$(url_host "$METRICS_HOST")"
api_url="http://$api_host:$PORT"
declare -A ready_url=([gateway]="$api_url/api/health")
# A worker's /metrics answers once it is up (port 0 = no metrics: then alive is all we check).
[[ "$CONTENT_METRICS_PORT" == 0 ]] ||
    ready_url[content-worker]="http://$metrics_host:$CONTENT_METRICS_PORT/metrics"
[[ "$ANALYTICS_METRICS_PORT" == 0 ]] ||
    ready_url[analytics-worker]="http://$metrics_host:$ANALYTICS_METRICS_PORT/metrics"

failed=()
not_ready=()
is_running() { recorded_pid "$1" >/dev/null; }

if [[ ${#started[@]} -gt 0 ]]; then
    log "waiting up to ${READY_TIMEOUT}s for ${started[*]}"
fi
pending=("${watched[@]}")
while :; do
    still=()
    for name in "${pending[@]}"; do
        if ! is_running "$name"; then
            failed+=("$name")
            continue
        fi
        url="${ready_url[$name]:-}"
        if [[ -z "$url" ]]; then
            continue # no endpoint (the sweeper): alive is all we can check
        fi
        if [[ "$(http_status "$url")" == 200 ]]; then
            ok "$name is ready ($url)"
        else
            still+=("$name")
        fi
    done
    pending=("${still[@]}")
    [[ ${#pending[@]} -eq 0 ]] && break
    if ! before "$deadline"; then
        not_ready=("${pending[@]}")
        break
    fi
    sleep 0.5
done
# A service with no endpoint (or one that crashed after answering) must still be alive now.
for name in "${watched[@]}"; do
    if [[ " ${failed[*]} " != *" $name "* ]] && ! is_running "$name"; then
        failed+=("$name")
    fi
done

status=0
for name in "${failed[@]}"; do
    err "$name is not running (it exited during start-up)"
    tail_log "$name"
    status=1
done
for name in "${not_ready[@]}"; do
    if [[ "$name" == gateway ]]; then
        err "gateway did not answer 200 on ${ready_url[gateway]} within ${READY_TIMEOUT}s" \
            "(last status: $(http_status "${ready_url[gateway]}"))"
        status=1
    else
        warn "$name is running but its /metrics (${ready_url[$name]}) did not answer within" \
            "${READY_TIMEOUT}s"
    fi
    tail_log "$name"
done
for name in "${skipped[@]}"; do
    err "$name was not started (see above)"
    status=1
done

# --- summary -------------------------------------------------------------------------------------
rel() { echo "${1#"$ROOT_DIR"/}"; }
cat >&2 <<SUMMARY

${_C_BOLD}ailp${_C_RESET}
  web app        $([[ -n "$web_app" ]] && echo "$api_url/" || echo "not served (see the warning above)")
  API            $api_url/api   (health: $api_url/api/health)
  API docs       $api_url/docs
  metrics        gateway           $api_url/metrics
                 content-worker    http://$metrics_host:$CONTENT_METRICS_PORT/metrics
                 analytics-worker  http://$metrics_host:$ANALYTICS_METRICS_PORT/metrics
  logs           $(rel "$LOG_DIR")/<service>.log   (make logs)
  processes      $(rel "$PID_DIR")/<service>.pid   (make status)
  stop           make down
SUMMARY

if [[ "$status" -ne 0 ]]; then
    err "not everything started (see above). Whatever did start is still running: 'make down'" \
        "stops it."
    exit 1
fi
ok "all services are up"
