#!/usr/bin/env bash
# `make chaos [ARGS=...]`: the campaign runs its own PostgreSQL and redis-server on free ports
# (docs/reliability.md); it only needs their programs.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || have initdb || apt_install postgresql
have redis-server || apt_install redis-server
exec uv run --frozen python -m tests.chaos "$@"
