#!/bin/sh
# One-shot: creates Temporal's two PostgreSQL databases and brings their schemas up to the admin-tools image's
# version (the steps of Temporal's own compose samples; `docker compose up` runs it again on every start).
set -eu
: "${POSTGRES_SEEDS:=postgresql}" "${DB_PORT:=5432}" "${POSTGRES_USER:=temporal}"
export SQL_PASSWORD="${POSTGRES_PWD:?POSTGRES_PWD is not set}"
schema=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  if [ "$db" = temporal ]; then dir=$schema/temporal/versioned; else dir=$schema/visibility/versioned; fi
  tool="temporal-sql-tool --plugin postgres12 --ep $POSTGRES_SEEDS -p $DB_PORT -u $POSTGRES_USER --db $db"
  $tool create
  $tool setup-schema -v 0.0
  $tool update-schema -d "$dir"
done
echo 'PostgreSQL schema setup complete'
