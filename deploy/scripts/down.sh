#!/usr/bin/env bash
# Stop exactly the services recorded in .run/pids (started by up.sh): SIGTERM to each one's
# process group, wait up to STOP_TIMEOUT seconds (default 20), then SIGKILL. Nothing else is
# touched: no pkill by name. PostgreSQL and Redis keep running.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STOP_TIMEOUT="${STOP_TIMEOUT:-20}"

shopt -s nullglob
files=("$PID_DIR"/*.pid)
if [[ ${#files[@]} -eq 0 ]]; then
    ok "nothing to stop (no PID files in ${PID_DIR#"$ROOT_DIR"/})"
    exit 0
fi

# All at once, so the grace periods run in parallel.
stopping=()
for file in "${files[@]}"; do
    name="$(basename "$file" .pid)"
    if pid="$(recorded_group "$name")"; then
        log "stopping $name (process group $pid): SIGTERM"
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM -- "$pid" 2>/dev/null || true
        stopping+=("$name:$pid")
    else
        ok "$name is not running (stale PID file)"
        rm -f -- "$file"
    fi
done

deadline="$(deadline_after "$STOP_TIMEOUT")"
while :; do
    remaining=()
    for entry in "${stopping[@]}"; do
        name="${entry%%:*}" pid="${entry#*:}"
        if group_alive "$pid"; then
            remaining+=("$entry")
        else
            ok "$name stopped"
            rm -f -- "$(pid_file "$name")"
        fi
    done
    stopping=("${remaining[@]}")
    [[ ${#stopping[@]} -eq 0 ]] && break
    before "$deadline" || break
    sleep 0.2
done

for entry in "${stopping[@]}"; do
    name="${entry%%:*}" pid="${entry#*:}"
    warn "$name (process group $pid) did not stop within ${STOP_TIMEOUT}s: SIGKILL" \
        "(its unfinished jobs are recovered by the sweeper)"
    kill -KILL -- "-$pid" 2>/dev/null || true
    if wait_until 5 group_gone "$pid"; then
        ok "$name killed"
    else
        err "$name (process group $pid) is still alive after SIGKILL: $(group_members "$pid" | xargs)"
        exit 1
    fi
    rm -f -- "$(pid_file "$name")"
done
ok "all recorded services are stopped"
