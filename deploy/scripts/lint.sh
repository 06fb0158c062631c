#!/usr/bin/env bash
# `make lint`: ruff check, ruff format --check, mypy (and shellcheck when installed).
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
rc=0
uv run --frozen ruff check . || rc=1
uv run --frozen ruff format --check . || rc=1
uv run --frozen mypy || rc=1
if have shellcheck; then shellcheck -x deploy/scripts/*.sh .ci/run || rc=1; fi
exit "$rc"
