# One image for every gaia role: the primary and the candidate core (GAIA_ROLE tells them apart) and the gateway
# (compose runs it with `node dist/services/web/main.js`). Build: docker-compose build, or
#   docker build -t gaia-core:local --build-arg GAIA_BUILD_ID=$(git rev-parse --short HEAD) .
# No "# syntax=" line on purpose: BuildKit would try to pull that frontend; the built-in one handles RUN --mount.

# ---- build: install everything, compile, generate the bundled models, then drop what the runtime does not need ----
FROM node:24-bookworm-slim AS build
WORKDIR /src
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
# npm ci applies these to node_modules (patch-package, the postinstall script), then rebuilds node-llama-cpp's native
# addon with them (scripts/build-addon.mjs: g++ and git, ~15 s; only this stage has them, the runtime gets the result)
COPY patches ./patches
COPY scripts/build-addon.mjs ./scripts/build-addon.mjs
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends g++ git >/dev/null \
 && rm -rf /var/lib/apt/lists/*
ENV GAIA_REQUIRE_ADDON_BUILD=1
# The lockfile pins node-llama-cpp 3.21.1 and overrides sharp to 0.33.5 (prebuilt, no libvips download), so this works offline
# from the registry alone. The cache mount keeps npm's tarballs between builds without putting them in a layer.
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci
COPY . .
RUN npm run build && npm run models
# Runtime keeps production deps and only this platform's CPU llama.cpp binary: the CUDA/Vulkan/other-arch prebuilts
# (~650 MB), llama.cpp's source bundle (its headers built the addon above; the runtime compiles nothing), onnxruntime's
# macOS/Windows binaries, and typescript (kept by prune as node-llama-cpp's optional peer; only its types use it) go.
RUN npm prune --omit=dev \
 && keep="linux-$(node -p process.arch)" \
 && for dir in node_modules/@node-llama-cpp/*; do [ "$(basename "$dir")" = "$keep" ] || rm -rf "$dir"; done \
 && rm -f node_modules/node-llama-cpp/llama/gitRelease.bundle \
 && rm -rf node_modules/typescript node_modules/@typescript node_modules/.bin/tsc node_modules/.bin/tsserver \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v3/darwin node_modules/onnxruntime-node/bin/napi-v3/win32 \
 && test -d "node_modules/@node-llama-cpp/$keep" \
 && test -s models/bundled/gaia-lite-bigram.gguf

# ---- runtime ----
FROM node:24-bookworm-slim AS runtime
# The base image's user `node` owns uid/gid 1000: remove it so gaia gets 1000, the uid GAIA's volumes are owned by.
# /shared and its subdirs are created here owned by gaia, so a fresh named volume mounted there inherits them
# (the original's candidate volume was root-owned and failed with "permission denied").
RUN userdel -r node \
 && groupadd --gid 1000 gaia \
 && useradd --uid 1000 --gid gaia --home-dir /home/gaia --create-home --shell /bin/bash gaia \
 && mkdir -p /home/gaia/.cache \
      /shared/sessions /shared/council /shared/lite_journal /shared/temporal_states /shared/timeline /models \
      /var/cache/gaia/models \
 && chown -R gaia:gaia /home/gaia /shared /var/cache/gaia
ENV HOME=/home/gaia \
    USER=gaia \
    XDG_CACHE_HOME=/home/gaia/.cache \
    NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    GAIA_SHARED_DIR=/shared \
    GAIA_MODEL_CACHE=/var/cache/gaia/models \
    GAIA_LITE_MODEL=/app/models/bundled/gaia-lite-bigram.gguf \
    GAIA_EMBED_MODEL_DIR=/app/models/bundled/embed-fixture
WORKDIR /app
# Code stays root-owned: gaia can read it, not change it.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/models/bundled ./models/bundled
COPY --from=build /src/dist ./dist
# Last, so a new build id does not invalidate the layers above.
ARG GAIA_BUILD_ID=dev
ENV GAIA_BUILD_ID=${GAIA_BUILD_ID}
LABEL org.opencontainers.image.title="gaia-core" org.opencontainers.image.revision="${GAIA_BUILD_ID}"
EXPOSE 6415
# No curl in the slim image: node's fetch. PORT lets the gateway (6414) reuse it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||6415)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
USER gaia
# Exec form: node is PID 1 and gets SIGTERM itself (core and gateway drain and exit on it; compose adds `init: true`).
# --max-semi-space-size=4 and MALLOC_ARENA_MAX=2 (above) cap memory the core never uses: services/core/launchFlags.ts.
CMD ["node", "--max-semi-space-size=4", "dist/services/core/main.js"]
