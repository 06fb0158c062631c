#!/usr/bin/env bash
# Run the test suite: `deploy/scripts/test.sh [pytest args...]`.
# Makes sure uv, the venv, PostgreSQL and Redis are there; the pytest fixtures create their own
# throw-away database, worker processes and fake model server.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_uv
ensure_venv
ensure_postgres
ensure_redis
check_redis_policy

log "uv run --frozen pytest $*"
set +e
uv run --frozen pytest "$@"
rc=$?
set -e
if [[ "$rc" -eq 5 ]]; then
    err "pytest collected NO tests (exit code 5). An empty test suite must not pass: check the" \
        "test paths and the arguments ($*)."
    exit 5
fi
exit "$rc"
