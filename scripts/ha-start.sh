#!/usr/bin/env bash
# ha-start.sh (npm run ha:start): bring up the candidate core and wait until Docker reports it healthy.
#
# The candidate runs the SAME image tag as the primary (gaia-core:local, or $GAIA_IMAGE); the image is only built when it
# does not exist yet, so the candidate never runs a different build than the primary (the original's stale-image outage, see docs/original-gaia.md).
# Honours the usual compose variables (COMPOSE_PROJECT_NAME, COMPOSE_FILE). HA_WAIT_SECONDS bounds the wait (default 180).
set -euo pipefail
cd "$(dirname "$0")/.."

SERVICE=gaia-core-candidate
WAIT=${HA_WAIT_SECONDS:-180}
if command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose); else COMPOSE=(docker compose); fi

if ! docker image inspect "${GAIA_IMAGE:-gaia-core:local}" >/dev/null 2>&1; then
  echo "ha-start: image ${GAIA_IMAGE:-gaia-core:local} not found, building it" >&2
  "${COMPOSE[@]}" build gaia-core
fi

"${COMPOSE[@]}" up -d --no-deps "$SERVICE"
id=$("${COMPOSE[@]}" ps -q "$SERVICE")
[ -n "$id" ] || { echo "ha-start: no container for $SERVICE" >&2; exit 1; }

start=$SECONDS
while :; do
  state=$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")
  case "$state" in
    "running healthy")
      echo "ha-start: $SERVICE is healthy after $((SECONDS - start)) s"
      exit 0 ;;
    "running unhealthy"|exited*|dead*)
      echo "ha-start: $SERVICE is $state; last log lines:" >&2
      docker logs --tail 20 "$id" >&2 || true
      exit 1 ;;
  esac
  if [ $((SECONDS - start)) -ge "$WAIT" ]; then
    echo "ha-start: $SERVICE not healthy after ${WAIT} s (state: $state); last log lines:" >&2
    docker logs --tail 20 "$id" >&2 || true
    exit 1
  fi
  sleep 1
done
