#!/usr/bin/env bash
# ruff check, ruff format --check and mypy over the repository.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_uv
ensure_venv
rc=0
log "ruff check"
uv run --frozen ruff check . || rc=1
log "ruff format --check"
uv run --frozen ruff format --check . || rc=1
log "mypy (shared/ and the three services)"
uv run --frozen mypy || rc=1
if have shellcheck; then
    log "shellcheck (deploy scripts)"
    shellcheck -x deploy/scripts/*.sh .ci/run || rc=1
fi
exit "$rc"
