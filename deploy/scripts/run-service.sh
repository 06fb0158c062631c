#!/usr/bin/env bash
# Run ONE ailp service in the foreground (exec, so signals reach it directly).
#
#   deploy/scripts/run-service.sh gateway|content-worker|analytics-worker|sweeper|migrate
#   deploy/scripts/run-service.sh make-admin USERNAME
#   deploy/scripts/run-service.sh recompute-analytics [--days N] [--new] [--no-wait]
#
# Used by `make gateway` etc., by up.sh (in the background) and as the images' entrypoint. In the
# repository it uses ./.venv; in an image /app/.venv (commands on PATH, no uv needed).
# PROMETHEUS_MULTIPROC_DIR is set here, never from Python: one folder per service, emptied before
# the service starts (DESIGN.md).
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    echo "usage: $0 gateway|content-worker|analytics-worker|sweeper|migrate|make-admin USERNAME|recompute-analytics [ARGS]" >&2
    exit 2
}

# Empty and export the service's own multiprocess folder.
metrics_dir() {
    local dir="$METRICS_BASE_DIR/$1"
    [[ -n "$1" && "$dir" == */metrics/* ]] || die "refusing to wipe '$dir'"
    rm -rf -- "$dir"
    mkdir -p -- "$dir"
    export PROMETHEUS_MULTIPROC_DIR="$dir"
}

[[ $# -ge 1 ]] || usage
service="$1"
shift
# In the repository, keep the venv in sync with uv.lock (cheap when it already is); images have
# no uv and a ready venv.
if [[ -f "$ROOT_DIR/uv.lock" ]] && have uv; then
    ensure_venv
fi
use_venv

case "$service" in
    gateway)
        metrics_dir gateway
        cmd=(python -m gateway)
        ;;
    content-worker)
        metrics_dir content-worker
        cmd=(celery -A content_worker.app worker -Q content -n "content@%h"
            --pool threads --concurrency "$CONTENT_WORKER_CONCURRENCY"
            --without-gossip --without-mingle -l INFO)
        ;;
    analytics-worker)
        metrics_dir analytics-worker
        cmd=(celery -A analytics_worker.app worker -Q analytics -n "analytics@%h"
            --pool prefork --concurrency "$ANALYTICS_WORKER_CONCURRENCY"
            --without-gossip --without-mingle -l INFO)
        ;;
    sweeper)
        metrics_dir sweeper
        cmd=(ailp sweeper)
        ;;
    migrate)
        # One-shot commands expose no metrics; keep them out of any service's folder.
        unset PROMETHEUS_MULTIPROC_DIR
        cmd=(ailp migrate)
        ;;
    make-admin)
        [[ $# -eq 1 && -n "$1" ]] || usage
        unset PROMETHEUS_MULTIPROC_DIR
        cmd=(ailp make-admin "$1")
        shift
        ;;
    recompute-analytics)
        # Every learner's analytics through the queue; extra arguments go to the command.
        unset PROMETHEUS_MULTIPROC_DIR
        cmd=(ailp recompute-analytics "$@")
        shift "$#"
        ;;
    *) usage ;;
esac
[[ $# -eq 0 ]] || usage

command -v "${cmd[0]}" >/dev/null 2>&1 ||
    die "'${cmd[0]}' not found: run 'make install' first (or use the service's image)"
echo "ailp: starting $service: ${cmd[*]} (PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-unset})" >&2
exec "${cmd[@]}"
