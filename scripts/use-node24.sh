# use-node24.sh — source it: `. scripts/use-node24.sh`. Puts Node 24 first on PATH for this shell when the machine's
# node is older (gaia-core needs Node >= 24, see package.json "engines").
#
# The binary comes from the npm registry's node-linux-<arch> package (its package/bin/node), so no other download
# source is needed: the same registry `npm ci` uses. It is cached under /opt/gaia-core as root (other users must be able to
# run it: some tests drop to another uid), else under ${XDG_CACHE_HOME:-~/.cache}/gaia-core (GAIA_NODE24_DIR overrides), so
# sourcing again is instant and changes nothing; the version is checked every time. Safe under `set -euo pipefail`.
# The machine's npm keeps running (npm 11 runs on Node 24) with its global prefix unchanged. GAIA_NODE24_VERSION
# overrides the pinned version.

gaia_use_node24() {
  local want=${GAIA_NODE24_VERSION:-24.22.3}
  local have
  have=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
  if [ "${have%%.*}" -ge 24 ] 2>/dev/null; then
    echo "use-node24: node v$have already on PATH" >&2
    return 0
  fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      echo "use-node24: no node-linux package for $(uname -m); install Node 24 yourself" >&2
      return 1
      ;;
  esac
  # as root, /opt: the tests run node as other users too (the non-root doctor and self-check tests), who cannot enter
  # /root; as anyone else, the user's cache
  local base
  if [ "$(id -u)" = 0 ]; then base=/opt/gaia-core; else base="${XDG_CACHE_HOME:-$HOME/.cache}/gaia-core"; fi
  local dir="${GAIA_NODE24_DIR:-$base}/node-v$want-linux-$arch"
  if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$want" ]; then
    echo "use-node24: fetching node-linux-$arch@$want from the npm registry (machine has v$have)" >&2
    local tmp
    tmp=$(mktemp -d) || return 1
    if ! (cd "$tmp" && npm pack --silent "node-linux-$arch@$want" >/dev/null && tar xzf node-linux-*.tgz); then
      rm -rf "$tmp"
      echo "use-node24: npm pack node-linux-$arch@$want failed" >&2
      return 1
    fi
    rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && mv "$tmp/package" "$dir" && rm -rf "$tmp" &&
      chmod -R a+rX "$dir"
  fi
  local got
  got=$("$dir/bin/node" --version 2>/dev/null)
  if [ "$got" != "v$want" ]; then
    echo "use-node24: $dir/bin/node says '${got:-nothing}', expected v$want" >&2
    return 1
  fi
  # the package brings node only: keep npm's global prefix (where `npm i -g` installs, and `npm root -g` finds npm
  # itself) at the machine's, not beside the new binary
  if [ -z "${npm_config_prefix:-}" ]; then
    npm_config_prefix=$(npm prefix -g 2>/dev/null) && export npm_config_prefix
  fi
  case ":$PATH:" in
    *":$dir/bin:"*) ;;
    *) export PATH="$dir/bin:$PATH" ;;
  esac
  hash -r 2>/dev/null || true
  echo "use-node24: node $(node --version) from $dir/bin" >&2
}

gaia_use_node24
