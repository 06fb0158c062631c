#!/usr/bin/env bash
# `make backup`: pg_dump -Fc of DATABASE_URL's database into BACKUP_DIR, encrypted on the way to
# BACKUP_AGE_RECIPIENT or BACKUP_GPG_RECIPIENT when set, then BACKUP_UPLOAD_COMMAND runs with the
# file as $1. Prints the backup's path last. Redis needs no backup: PostgreSQL is the truth.
# shellcheck source=deploy/scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_venv
eval "$("$AILP" config --export --format shell --show-secrets --keys BACKUP_DIR,BACKUP_AGE_RECIPIENT,BACKUP_GPG_RECIPIENT,BACKUP_UPLOAD_COMMAND)"
have pg_dump || apt_install postgresql-client
encrypt=(cat) suffix=""
if [[ -n "$BACKUP_AGE_RECIPIENT" && -n "$BACKUP_GPG_RECIPIENT" ]]; then
    die "set BACKUP_AGE_RECIPIENT or BACKUP_GPG_RECIPIENT, not both"
elif [[ -n "$BACKUP_AGE_RECIPIENT" ]]; then
    have age || apt_install age
    encrypt=(age --encrypt --recipient "$BACKUP_AGE_RECIPIENT") suffix=.age
elif [[ -n "$BACKUP_GPG_RECIPIENT" ]]; then
    have gpg || apt_install gnupg
    encrypt=(gpg --batch --yes --encrypt --trust-model always --recipient "$BACKUP_GPG_RECIPIENT") suffix=.gpg
fi
[[ "$BACKUP_DIR" == /* ]] || BACKUP_DIR="$ROOT_DIR/$BACKUP_DIR"
mkdir -p "$BACKUP_DIR"
umask 077 # backups hold every user's data
file="$BACKUP_DIR/ailp-$PG_DB-$(date -u +%Y%m%dT%H%M%SZ).dump$suffix"
trap 'rm -f "$file.partial"' EXIT
log "backing up database '$PG_DB' on ${PG_HOST:-socket}:$PG_PORT (pg_dump -Fc${suffix:+, encrypted})"
# --no-owner/--no-privileges: restorable by whichever role owns the target database.
pg_dump --format=custom --no-owner --no-privileges --dbname="$PG_URL" | "${encrypt[@]}" >"$file.partial"
mv -- "$file.partial" "$file"
ok "backup written: $file ($(du -h "$file" | cut -f1))"
if [[ -n "$BACKUP_UPLOAD_COMMAND" ]]; then
    bash -c "$BACKUP_UPLOAD_COMMAND" backup-upload "$file" || die "the upload command failed; the backup is kept at $file"
    ok "uploaded"
fi
echo "$file"
