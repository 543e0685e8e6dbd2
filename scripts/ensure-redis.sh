#!/usr/bin/env bash
# Make sure a Redis answers on 127.0.0.1:6379 (the production rate-limit store, used by the
# tests); start a throw-away one that keeps nothing on disk if none does.
set -euo pipefail
ping() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }
ping && exit 0
echo "ensure-redis: starting redis-server on 127.0.0.1:6379"
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir /tmp --logfile /tmp/ledger-redis.log
for _ in $(seq 1 20); do ping && exit 0; sleep 0.5; done
echo "ensure-redis: Redis did not start; see /tmp/ledger-redis.log" >&2
exit 1
