#!/bin/sh
# Nightly backup: a custom-format pg_dump of DATABASE_URL into BACKUP_DIR (default
# var/backups), checked readable, then dumps older than KEEP_DAYS (default 35) are deleted.
# Prints the new file's name. See README.md, "Backups and restore".
set -eu

: "${DATABASE_URL:?Set DATABASE_URL, e.g. postgres://tracker@db.example.org:5432/safeguarding}"
# libpq only knows postgres:// and postgresql://; django-environ also accepts these.
url=$(printf '%s' "$DATABASE_URL" | sed -E 's#^(pgsql|psql|postgis)://#postgresql://#')
dir=${BACKUP_DIR:-var/backups}
keep=${KEEP_DAYS:-35}

umask 077  # the dump holds OFFICIAL-SENSITIVE data: owner only
mkdir -p "$dir"
file="$dir/safeguarding-$(date -u +%Y%m%dT%H%M%SZ).dump"

pg_dump --format=custom --file="$file.partial" --dbname="$url"
pg_restore --list "$file.partial" >/dev/null
mv "$file.partial" "$file"

# Only once today's backup is safely written.
find "$dir" -name 'safeguarding-*.dump' -type f -mtime "+$keep" -delete
echo "$file"
