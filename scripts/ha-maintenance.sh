#!/usr/bin/env bash
# ha-maintenance.sh on|off|status: the maintenance flag that turns gateway failover off.
#
# The flag is /shared/ha_maintenance INSIDE the primary's named volume (gaia-shared), written through the gaia-core
# container, so the gateway, which mounts that volume read-only, sees it. (The original wrote a host directory no
# container mounted, and its gateway had no /shared at all, so the flag never did anything.)
# When gaia-core is not running, a one-off container of the same service (same volume) does the job.
set -euo pipefail
cd "$(dirname "$0")/.."

FLAG=/shared/ha_maintenance
SERVICE=gaia-core
if command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose); else COMPOSE=(docker compose); fi

# Runs a shell snippet in the primary's container, or in a throwaway one on the same volume when it is not running.
in_primary() {
  local id
  id=$("${COMPOSE[@]}" ps -q "$SERVICE" 2>/dev/null || true)
  if [ -n "$id" ] && [ "$(docker inspect -f '{{.State.Running}}' "$id" 2>/dev/null)" = "true" ]; then
    "${COMPOSE[@]}" exec -T "$SERVICE" sh -c "$1"
  else
    "${COMPOSE[@]}" run --rm --no-deps -T "$SERVICE" sh -c "$1"
  fi
}

case "${1:-status}" in
  on)
    in_primary "date -u +%Y-%m-%dT%H:%M:%SZ > $FLAG"
    echo "maintenance: on (failover disabled; flag $FLAG on the gaia-shared volume)" ;;
  off)
    in_primary "rm -f $FLAG"
    echo "maintenance: off (failover enabled)" ;;
  status)
    if in_primary "test -e $FLAG"; then
      echo "maintenance: on (since $(in_primary "cat $FLAG" | tr -d '\r'))"
    else
      echo "maintenance: off"
    fi ;;
  *)
    echo "usage: $0 on|off|status" >&2
    exit 2 ;;
esac
