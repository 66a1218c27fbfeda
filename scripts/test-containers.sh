#!/usr/bin/env bash
# test-containers.sh (npm run test:containers, run by CI): the image, the compose pair + gateway, and the pair's
# failover scenarios, against a real Docker engine.
#
# The engine is a private dockerd from CI's sandbox tool when the machine has it ($GAIA_DOCKER_SANDBOX names it), else
# the ambient DOCKER_HOST. When no engine can run, this prints
# "container tests SKIPPED: <reason>" and exits 0: a skip is always said out loud, never a silent pass.
# Every run uses its own compose project (-p) and removes its containers and volumes at the end, pass or fail.
set -uo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "container tests SKIPPED: $*"
  exit 0
}

SANDBOX_TOOL=${GAIA_DOCKER_SANDBOX:-../shared/tools/docker-sandbox.sh}
if [ -f "$SANDBOX_TOOL" ]; then
  sandbox_log=$(mktemp)
  exports=$(bash "$SANDBOX_TOOL" start 2>"$sandbox_log")
  status=$?
  if [ "$status" -ne 0 ]; then
    reason=$(grep -v '^\s*$' "$sandbox_log" | tail -n 1)
    rm -f "$sandbox_log"
    skip "docker sandbox exited $status${reason:+: $reason}"
  fi
  rm -f "$sandbox_log"
  eval "$exports"
fi
command -v docker >/dev/null 2>&1 || skip "no docker CLI"
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || skip "no docker-compose"
docker info >/dev/null 2>&1 || skip "no reachable Docker engine (DOCKER_HOST=${DOCKER_HOST:-unset})"

# The replicas test needs a Redis image; with no registry reachable, the sandbox builds a stand-in from Debian's
# redis-server. Without either, that suite says SKIPPED.
export GAIA_CT_REDIS_IMAGE=${GAIA_CT_REDIS_IMAGE:-redis:7-bookworm}
if ! docker image inspect "$GAIA_CT_REDIS_IMAGE" >/dev/null 2>&1; then
  if [ -f "$SANDBOX_TOOL" ]; then
    echo "container tests: building a stand-in $GAIA_CT_REDIS_IMAGE"
    bash "$SANDBOX_TOOL" standin "$GAIA_CT_REDIS_IMAGE" || echo "container tests: no $GAIA_CT_REDIS_IMAGE image"
  fi
fi

# One project per run: containers, network and volumes are all named after it, so runs never collide.
export GAIA_CT_PROJECT="gaiact$$$(date +%s)"
export GAIA_CT_COMPOSE_FILES="docker-compose.yml:test/containers/docker-compose.test.yml"
if command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose); else COMPOSE=(docker compose); fi

cleanup() {
  COMPOSE_FILE=$GAIA_CT_COMPOSE_FILES "${COMPOSE[@]}" -p "$GAIA_CT_PROJECT" down -v --remove-orphans >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One image build per run (the tests reuse it): compose's own `build:` of gaia-core, under a test tag.
export GAIA_CT_IMAGE=${GAIA_CT_IMAGE:-gaia-core:containers-test} GAIA_CT_BUILD_ID=containers-test
start=$SECONDS
echo "container tests: building $GAIA_CT_IMAGE"
if ! GAIA_IMAGE=$GAIA_CT_IMAGE GAIA_BUILD_ID=$GAIA_CT_BUILD_ID "${COMPOSE[@]}" -f docker-compose.yml build gaia-core; then
  echo "container tests FAILED: the image does not build"
  exit 1
fi
echo "container tests: image build took $((SECONDS - start)) s"
export GAIA_CT_IMAGE_BUILT=1

start=$SECONDS
NODE_OPTIONS="--experimental-vm-modules --disable-warning=ExperimentalWarning" npx jest -c jest.containers.config.js "$@"
status=$?
echo "container tests: jest exited $status after $((SECONDS - start)) s (project $GAIA_CT_PROJECT)"
exit "$status"
