#!/usr/bin/env bash
# `make web-build` / `make web-dev`: Node (Debian's, when missing), then `ailp stack web-…`.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
[[ "$1" == web-build ]] && "$AILP" stack web-build --check && exec "$AILP" stack web-build
ensure_node
exec "$AILP" stack "$@"
