#!/usr/bin/env bash
# What up.sh started and is still running, by PID file; plus the health of the endpoints.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_settings

api="http://$(url_host "$HOST"):$PORT"
# shellcheck disable=SC2153 # set by load_settings (ailp config --export)
metrics_host="$(url_host "$METRICS_HOST")"
declare -A url=(
    [gateway]="$api/api/health"
    [content-worker]="http://$metrics_host:$CONTENT_METRICS_PORT/metrics"
    [analytics-worker]="http://$metrics_host:$ANALYTICS_METRICS_PORT/metrics"
)

any=0
printf '%-18s %-10s %-8s %s\n' SERVICE STATE PID ENDPOINT
for name in "${SERVICES[@]}"; do
    endpoint="${url[$name]:-}"
    if pid="$(recorded_pid "$name")"; then
        any=1
        state=running
    elif pid="$(recorded_group "$name")"; then
        any=1
        state="orphans"
    elif [[ -f "$(pid_file "$name")" ]]; then
        state=dead pid="$(head -n 1 "$(pid_file "$name")")"
    else
        state=stopped pid=-
    fi
    if [[ -n "$endpoint" && "$state" == running ]]; then
        endpoint="$endpoint -> HTTP $(http_status "$endpoint")"
    fi
    printf '%-18s %-10s %-8s %s\n' "$name" "$state" "$pid" "${endpoint:--}"
done
echo
echo "logs: ${LOG_DIR#"$ROOT_DIR"/}/<service>.log (make logs)"
[[ "$any" -eq 1 ]] || echo "nothing is running: 'make up' starts everything"
