#!/usr/bin/env bash
# Make sure the PostgreSQL named by $1 answers, starting the local cluster if it is down,
# and that its database exists (the tests create test_<name> beside it).
set -euo pipefail
url=${1:-postgres://postgres@127.0.0.1:5432/taizhang}
rest=${url#*://}; creds=${rest%@*}; hostpart=${rest#*@}
user=${creds%%:*}; hostport=${hostpart%%/*}; db=${hostpart#*/}
host=${hostport%%:*}; port=${hostport##*:}; [ "$port" = "$host" ] && port=5432
if ! pg_isready -q -h "$host" -p "$port"; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
fi
if ! pg_isready -q -h "$host" -p "$port"; then
  echo "PostgreSQL 没有在 $host:$port 运行 (PostgreSQL is not running at $host:$port)" >&2
  exit 1
fi
psql -h "$host" -p "$port" -U "$user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" \
  | grep -q 1 || createdb -h "$host" -p "$port" -U "$user" "$db"
