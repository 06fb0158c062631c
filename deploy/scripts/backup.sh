#!/usr/bin/env bash
# Back up DATABASE_URL's database: `make backup`.
#   pg_dump --format=custom (compressed; pg_restore can pick tables from it), streamed into
#   BACKUP_DIR/ailp-<database>-<UTC timestamp>.dump, encrypted on the way when BACKUP_AGE_RECIPIENT
#   (.dump.age) or BACKUP_GPG_RECIPIENT (.dump.gpg) is set, so no plaintext copy touches the disk;
#   then BACKUP_UPLOAD_COMMAND runs with the file as $1 (e.g. to copy it off the machine).
# Prints the backup's path on stdout (the last line). Restore with `make restore FILE=...`.
# Redis needs no backup: PostgreSQL is the truth (queued jobs are re-published by the sweeper).
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_venv
require_settings
have pg_dump || apt_install postgresql-client
parse_database_url

if [[ -n "${BACKUP_AGE_RECIPIENT:-}" && -n "${BACKUP_GPG_RECIPIENT:-}" ]]; then
    die "set BACKUP_AGE_RECIPIENT or BACKUP_GPG_RECIPIENT, not both"
fi
encrypt=(cat)
suffix=""
if [[ -n "${BACKUP_AGE_RECIPIENT:-}" ]]; then
    have age || apt_install age
    encrypt=(age --encrypt --recipient "$BACKUP_AGE_RECIPIENT")
    suffix=".age"
elif [[ -n "${BACKUP_GPG_RECIPIENT:-}" ]]; then
    have gpg || apt_install gnupg
    encrypt=(gpg --batch --yes --encrypt --trust-model always --recipient "$BACKUP_GPG_RECIPIENT")
    suffix=".gpg"
fi

dir="$BACKUP_DIR"
[[ "$dir" == /* ]] || dir="$ROOT_DIR/$dir"
mkdir -p "$dir"
umask 077 # backups hold every user's data
file="$dir/ailp-$PG_DB-$(date -u +%Y%m%dT%H%M%SZ).dump$suffix"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

log "backing up database '$PG_DB' on ${PG_HOST:-socket}:$PG_PORT (pg_dump -Fc${suffix:+, encrypted})"
started="$(now_us)"
# --no-owner/--no-privileges: restorable by whichever role owns the target database.
pg_dump --format=custom --no-owner --no-privileges --dbname="$PG_URL" | "${encrypt[@]}" >"$partial"
mv -- "$partial" "$file"
trap - EXIT
ok "backup written: ${file#"$ROOT_DIR"/} ($(du -h "$file" | cut -f1), $((($(now_us) - started) / 1000)) ms)"

if [[ -n "${BACKUP_UPLOAD_COMMAND:-}" ]]; then
    log "uploading: $BACKUP_UPLOAD_COMMAND"
    bash -c "$BACKUP_UPLOAD_COMMAND" backup-upload "$file" || die "the upload command failed; the backup is kept at $file"
    ok "uploaded"
fi
echo "$file"
