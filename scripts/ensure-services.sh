#!/usr/bin/env bash
# Start PostgreSQL and Redis if they are not running (the machine's own services).
set -uo pipefail
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
# The concurrency tests open 100 connections at once (100 simultaneous claims) while the other
# test worker holds its own; Debian's default of 100 is too few.
max_conn=$(psql -h 127.0.0.1 -U postgres -Atc "show max_connections" 2>/dev/null || echo 0)
if [ "${max_conn:-0}" -lt 200 ]; then
  echo "raising PostgreSQL max_connections from ${max_conn} to 200 (restart)" >&2
  psql -h 127.0.0.1 -U postgres -qc "ALTER SYSTEM SET max_connections = 200" &&
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main restart
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 10); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done
fi
exit 0
