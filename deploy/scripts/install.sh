#!/usr/bin/env bash
# `make install`: uv if needed, then the venv from uv.lock (again).
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv force
ok "installed: run 'make up' to start everything, 'make help' for the rest"
