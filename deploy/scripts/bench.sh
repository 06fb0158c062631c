#!/usr/bin/env bash
# Run the benchmark against the local services: `deploy/scripts/bench.sh [bench args...]`.
# Starts whatever is not running yet (up.sh skips running services); BENCH_NO_UP=1 skips that,
# e.g. to benchmark a gateway started some other way.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ -z "${BENCH_NO_UP:-}" ]]; then
    "$SCRIPTS_DIR/up.sh"
fi
ensure_uv
log "uv run --frozen python -m bench $*"
exec uv run --frozen python -m bench "$@"
