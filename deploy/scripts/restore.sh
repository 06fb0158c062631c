#!/usr/bin/env bash
# Restore a `make backup` file into DATABASE_URL's database: `make restore FILE=backups/....dump`
# (IDENTITY=path/to/age-key.txt for a .dump.age file; gpg finds its key in the keyring).
#   1. creates the database when it does not exist, and REFUSES one that has any table: restoring
#      over live data would mix two states (drop or rename it first, see docs/operations.md);
#   2. pg_restore in one transaction (all or nothing);
#   3. compares the restored schema's migration with this release's (`ailp migrate --check`):
#      behind → run `make migrate`; unknown → the backup comes from a newer release.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

file="${1:-}"
[[ -n "$file" ]] || die "usage: make restore FILE=backups/ailp-<db>-<time>.dump[.age|.gpg]"
[[ -f "$file" ]] || die "no such backup file: $file"

ensure_venv
require_settings
have pg_restore || apt_install postgresql-client
parse_database_url
ensure_database

tables="$(psql -X "$PG_URL" -v ON_ERROR_STOP=1 -Atq <<'SQL'
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%';
SQL
)" || die "cannot connect to database '$PG_DB'"
if [[ "$tables" != 0 ]]; then
    die "database '$PG_DB' is not empty ($tables tables or sequences): refusing to restore over" \
        "it. Restore into an empty database (set DATABASE_URL to a new name), or drop this one" \
        "first if you are sure: psql \"$PG_ADMIN_URL\" -c 'DROP DATABASE \"$PG_DB\"'"
fi

decrypt=(cat)
case "$file" in
    *.age)
        [[ -n "${IDENTITY:-}" ]] || die "$file is age-encrypted: pass IDENTITY=path/to/age-key.txt"
        have age || apt_install age
        decrypt=(age --decrypt --identity "$IDENTITY")
        ;;
    *.gpg)
        have gpg || apt_install gnupg
        decrypt=(gpg --batch --quiet --decrypt)
        ;;
esac

log "restoring ${file#"$ROOT_DIR"/} into '$PG_DB' on ${PG_HOST:-socket}:$PG_PORT"
started="$(now_us)"
"${decrypt[@]}" <"$file" |
    pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$PG_URL" ||
    die "pg_restore failed (nothing was restored: it runs in one transaction)"
ok "restored in $((($(now_us) - started) / 1000)) ms"

rc=0
check="$("$ROOT_DIR/.venv/bin/ailp" migrate --check 2>&1)" || rc=$?
grep -v '^{' <<<"$check" >&2 || true # without Alembic's JSON log lines
case "$rc" in
    0) ok "the schema matches this release" ;;
    3) warn "the backup's schema is older than this release: run 'make migrate' before starting" ;;
    *) die "the backup's schema is not one this release knows (see above)" ;;
esac
