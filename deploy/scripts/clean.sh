#!/usr/bin/env bash
# Remove .run (logs, PID files, metrics folders). Refuses while services recorded there run, and
# keeps the data of a Redis server that up.sh started and that is still running.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ -d "$RUN_DIR" ]] || {
    ok "nothing to clean"
    exit 0
}
for name in "${SERVICES[@]}"; do
    if recorded_group "$name" >/dev/null; then
        die "$name is still running: 'make down' first"
    fi
done
shopt -s nullglob
keep=()
for pidfile in "$RUN_DIR"/redis/*/redis.pid; do
    pid="$(head -n 1 "$pidfile")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        keep+=("$(dirname "$pidfile")")
    fi
done
for entry in "$RUN_DIR"/* "$RUN_DIR"/.[!.]*; do
    if [[ "$entry" == "$RUN_DIR/redis" && ${#keep[@]} -gt 0 ]]; then
        warn "keeping ${entry#"$ROOT_DIR"/}: a Redis server started by up.sh still uses it" \
            "(${keep[*]#"$ROOT_DIR"/}); stop it with redis-cli shutdown, then clean again"
        continue
    fi
    rm -rf -- "$entry"
done
rmdir -- "$RUN_DIR" 2>/dev/null || true
ok "cleaned ${RUN_DIR#"$ROOT_DIR"/}"
