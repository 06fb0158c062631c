#!/usr/bin/env bash
# `make restore FILE=... [IDENTITY=age-key]`: into DATABASE_URL's database, created when missing
# and REFUSED when it has any table (restoring over live data would mix two states); pg_restore
# in one transaction; then the schema's migration is compared with this release's.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
file="${1:-}"
[[ -f "$file" ]] || die "usage: make restore FILE=backups/ailp-<db>-<time>.dump[.age|.gpg] (no such file: '$file')"
ensure_venv
have pg_restore || apt_install postgresql-client
"$AILP" stack create-database
tables="$(psql -X "$PG_URL" -v ON_ERROR_STOP=1 -Atqc "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r','p','v','m','S','f') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'")" ||
    die "cannot connect to database '$PG_DB'"
[[ "$tables" == 0 ]] || die "database '$PG_DB' is not empty ($tables tables or sequences): refusing to restore over it. Restore into an empty database (set DATABASE_URL to a new name), or drop this one first if you are sure: psql \"$PG_ADMIN_URL\" -c 'DROP DATABASE \"$PG_DB\"'"
decrypt=(cat)
case "$file" in
    *.age) [[ -n "${IDENTITY:-}" ]] || die "$file is age-encrypted: pass IDENTITY=path/to/age-key.txt"
        have age || apt_install age
        decrypt=(age --decrypt --identity "$IDENTITY") ;;
    *.gpg) have gpg || apt_install gnupg
        decrypt=(gpg --batch --quiet --decrypt) ;;
esac
log "restoring $file into '$PG_DB' on ${PG_HOST:-socket}:$PG_PORT"
"${decrypt[@]}" <"$file" | pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$PG_URL" ||
    die "pg_restore failed (nothing was restored: it runs in one transaction)"
ok "restored"
rc=0
check="$("$AILP" migrate --check 2>&1)" || rc=$?
grep -v '^{' <<<"$check" >&2 || true # without Alembic's JSON log lines
case "$rc" in
    0) ok "the schema matches this release" ;;
    3) warn "the backup's schema is older than this release: run 'make migrate' before starting" ;;
    *) die "the backup's schema is not one this release knows (see above)" ;;
esac
