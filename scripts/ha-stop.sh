#!/usr/bin/env bash
# ha-stop.sh (npm run ha:stop): stop and remove the candidate core's container. Its volume (gaia-candidate-shared) is kept.
# The gateway keeps serving from the primary; with the candidate gone its fallback simply fails fast.
# The stop is bounded by the service's stop_grace_period (the core drains in-flight packets on SIGTERM).
set -euo pipefail
cd "$(dirname "$0")/.."

SERVICE=gaia-core-candidate
if command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose); else COMPOSE=(docker compose); fi

start=$SECONDS
"${COMPOSE[@]}" stop "$SERVICE"
"${COMPOSE[@]}" rm -f "$SERVICE" >/dev/null
if [ -n "$("${COMPOSE[@]}" ps -q "$SERVICE")" ]; then
  echo "ha-stop: $SERVICE still has a container" >&2
  exit 1
fi
echo "ha-stop: $SERVICE stopped and removed after $((SECONDS - start)) s"
