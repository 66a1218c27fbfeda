import fs from "node:fs";
import path from "node:path";
import type { Express } from "express";
import { repoRoot } from "../../shared/config/repoRoot.js";
import type { Logger } from "../../shared/logging/logger.js";
import { createApp } from "./app.js";
import { computeBuildId } from "./buildId.js";
import { CoreState, type ReadyParts } from "./CoreState.js";
import type { CoreConfig } from "./config.js";
import { createMetrics } from "./observability/metrics.js";
import { createSessionStore } from "./sessions/createSessionStore.js";
import { PairSessionStore } from "./sessions/PairSessionStore.js";
import { PeerSessionReader } from "./sessions/PeerSessionReader.js";
import type { SessionStore } from "./sessions/SessionStore.js";
import { type StartEngineOptions, startEngine } from "./startEngine.js";

/** A core: its HTTP app (not listening), its state, and the model loading in the background. */
export interface Core {
  app: Express;
  state: CoreState;
  store: SessionStore;
  /** The peer's sessions, read-only (GAIA_PEER_SHARED_DIR), or null. */
  peer: PeerSessionReader | null;
  buildId: string;
  /** Settles when the model is loaded (ready) or failed to load (state says which); never rejects. */
  started: Promise<void>;
  /**
   * Stops taking packets and releases everything the core created (model, context, embedder, session store), also
   * when called while the model is still loading. Safe to call more than once: later calls wait for the first.
   */
  dispose(): Promise<void>;
}

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")) as { version: string }).version;
}

/** Wires config into store, state, metrics, app and engine. main.ts listens on it; tests call it with supertest. */
export function createCore(
  config: CoreConfig,
  logger: Logger,
  options: Pick<StartEngineOptions, "loadEngine" | "loadEmbedder"> = {},
): Core {
  const version = packageVersion();
  const buildId = computeBuildId(config.buildId, version);
  const state = new CoreState();
  const own = createSessionStore(config, logger);
  // the pair reads its peer's session files; a shared store (Redis) already holds every replica's turns
  const peer =
    config.peerSharedDir && config.sessionStore.kind === "file"
      ? new PeerSessionReader({ dir: path.join(config.peerSharedDir, "sessions"), logger })
      : null;
  const store: SessionStore = peer ? new PairSessionStore(own, peer) : own;
  const metrics = createMetrics(state);
  const app = createApp({ config, state, store, peer, logger, buildId, version, metrics });
  const started = startEngine({ config, store, logger, metrics: metrics.observer, ...options })
    .then((parts) => {
      if (state.status === "draining") return releaseParts(parts); // disposed while loading
      state.markReady(parts);
      logger.info(
        {
          history_mode: parts.history.mode,
          history_mode_reason: parts.history.reason,
          model_load_ms: parts.modelLoadMs,
        },
        "ready",
      );
    })
    .catch((error: Error) => {
      state.markFailed(`${error.name}: ${error.message}`);
      logger.error({ err: error, model: config.liteModelPath }, "model failed to load; /health reports failed");
    });
  let disposed: Promise<void> | undefined;
  return {
    app,
    state,
    store,
    peer,
    buildId,
    started,
    dispose() {
      // the store outlives the model: a turn finishing during the drain can still be stored; store.close() closes
      // the own store (PairSessionStore delegates), once
      disposed ??= (async () => {
        state.markDraining();
        await started;
        if (state.parts) await releaseParts(state.parts);
        await store.close();
      })();
      return disposed;
    },
  };
}

/** Everything startEngine created, released children first: the model (with its context) and the embedder. */
async function releaseParts(parts: ReadyParts): Promise<void> {
  await parts.engine.dispose();
  await parts.history.dispose();
}
