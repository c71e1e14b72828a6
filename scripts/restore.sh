#!/bin/sh
# Restore a backup made by backup.sh (or pg_dump -Fc) into the database at TARGET_URL.
# The target must exist (createdb) and be empty. With --replace it may hold data: the
# objects in the backup are dropped and recreated in one transaction, so a failed restore
# leaves the target as it was. See README.md, "Backups and restore".
set -eu

usage="usage: scripts/restore.sh [--replace] BACKUP.dump TARGET_URL"
replace=no
if [ "${1:-}" = "--replace" ]; then
    replace=yes
    shift
fi
[ $# -eq 2 ] || { echo "$usage" >&2; exit 2; }
dump=$1
url=$(printf '%s' "$2" | sed -E 's#^(pgsql|psql|postgis)://#postgresql://#')

pg_restore --list "$dump" >/dev/null  # a readable archive before touching anything
tables=$(psql -X -A -t -q --dbname="$url" \
    -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")

if [ "$replace" = yes ]; then
    pg_restore --no-owner --exit-on-error --clean --if-exists --single-transaction \
        --dbname="$url" "$dump"
elif [ "$tables" -ne 0 ]; then
    echo "restore.sh: the target already has $tables tables; nothing was changed." >&2
    echo "Restore into a new, empty database, or pass --replace to overwrite it." >&2
    exit 1
else
    pg_restore --no-owner --exit-on-error --jobs="${JOBS:-2}" --dbname="$url" "$dump"
fi
echo "restored $dump"
