import fs from "node:fs";
import express, { type Router } from "express";
import { serverDeadlinesBody } from "../../../shared/http/serverDeadlines.js";
import type { ModelFetchProgress } from "../../../shared/models/fetchModel.js";
import type { CoreState } from "../CoreState.js";
import type { CoreConfig } from "../config.js";
import type { PeerSessionReader } from "../sessions/PeerSessionReader.js";
import type { SessionStore } from "../sessions/SessionStore.js";

export interface HealthDeps {
  config: CoreConfig;
  state: CoreState;
  store: SessionStore;
  peer?: PeerSessionReader | null;
  buildId: string;
  version: string;
}

/**
 * What /health reports as `status`: the core's lifecycle, except that a ready core whose session store cannot be
 * written is `unavailable` (not ready: it would fail every new turn).
 */
export type HealthStatus = CoreState["status"] | "unavailable";

/** A model download in /health: what, which phase, bytes done of total. */
function downloadBody({ uri, phase, bytesDone, bytesTotal }: ModelFetchProgress) {
  return {
    ref: uri,
    phase,
    bytes_done: bytesDone,
    bytes_total: bytesTotal,
    percent: bytesTotal ? Math.floor((bytesDone / bytesTotal) * 1000) / 10 : null,
  };
}

/**
 * The /health body: readiness, role, model, history mode and why, queue, session store, build. Cheap: answers during
 * generation. An `unavailable` core is not dead and needs no restart: the gateway or the orchestrator sends its
 * sessions to another core until the store is back.
 */
function healthBody({ config, state, store, peer, buildId, version }: HealthDeps) {
  const parts = state.parts;
  const history = parts?.history;
  const storeHealth = store.health();
  const status: HealthStatus = state.status === "ready" && !storeHealth.writable ? "unavailable" : state.status;
  return {
    status,
    ...(status === "unavailable"
      ? { reason: `session store not writable (${storeHealth.store ?? "session store"}): ${storeHealth.reason}` }
      : {}),
    service: "gaia-core",
    role: config.role,
    build_id: buildId,
    version,
    uptime_s: Math.round((Date.now() - state.startedAt) / 100) / 10,
    model: {
      path: config.liteModelPath,
      // the cache file a reference (hf:…, https://…) resolved to, once fetched
      ...(state.modelFile ? { file: state.modelFile } : {}),
      name: parts?.engine.modelName ?? null,
      loaded: parts !== null,
      load_ms: parts?.modelLoadMs ?? null,
      context_size: parts?.engine.contextSize ?? null,
      ...(state.failure ? { error: state.failure } : {}),
      ...(state.download ? { download: downloadBody(state.download) } : {}),
    },
    history_mode: history?.mode ?? "full",
    history_mode_reason: history ? history.reason : "model not loaded yet",
    queue: parts
      ? (({ active, waiting, capacity }) => ({ active, waiting, capacity }))(parts.engine.load())
      : { active: 0, waiting: 0, capacity: config.queueSize },
    maintenance: fs.existsSync(config.maintenanceFlagPath),
    shared_dir: config.sharedDir,
    session_store: storeHealth,
    // the peer core's sessions, read-only: missing or unreadable means this core answers from its own history only
    peer_sessions: peer ? peer.status() : null,
    server: serverDeadlinesBody(config.server),
  };
}

/** GET /health (200 ready, 503 otherwise), GET /status (as the original's, plus queue and sessions), GET / (endpoints). */
export function healthRouter(deps: HealthDeps): Router {
  const router = express.Router();
  router.get("/health", (_req, res) => {
    const body = healthBody(deps);
    res.status(body.status === "ready" ? 200 : 503).json(body);
  });
  // For orchestrators, which need three different questions answered (readiness is /health above):
  // alive = the event loop answers (loading, unavailable and draining are alive: restarting them helps nobody);
  // started = the model is loaded (a slow load is not a hang; a failed one never starts, so it gets restarted).
  router.get("/health/live", (_req, res) => {
    res.json({ status: "alive", state: deps.state.status });
  });
  router.get("/health/started", (_req, res) => {
    const loaded = deps.state.parts !== null;
    res.status(loaded ? 200 : 503).json({ status: loaded ? "started" : deps.state.status });
  });
  router.get("/status", async (_req, res) => {
    const { state, config } = deps;
    const parts = state.parts;
    const load = parts?.engine.load();
    res.status(parts ? 200 : 503).json({
      status: parts ? "operational" : "not_initialized",
      service: "gaia-core",
      role: config.role,
      build_id: deps.buildId,
      ...(parts ? {} : { message: state.failure ? `Model failed to load: ${state.failure}` : "Model is loading" }),
      ai_manager: { initialized: parts !== null, current_persona: "default" },
      models: {
        available: parts ? ["lite"] : [],
        status: parts ? { lite: load && load.active > 0 ? "busy" : "idle" } : {},
      },
      history_mode: parts?.history.mode ?? "full",
      queue: load ?? { active: 0, waiting: 0, capacity: config.queueSize, slots: config.parallel },
      sessions: { count: await deps.store.count() },
    });
  });
  router.get("/", (_req, res) => {
    res.json({
      service: "gaia-core",
      description: "GAIA Cognitive Loop Service (TypeScript)",
      role: deps.config.role,
      endpoints: {
        "/": "This endpoint list",
        "/health": "Readiness, role, model, history mode, queue, session store (200 ready, 503 otherwise)",
        "/health/live": "Liveness: 200 while the process answers (also while loading or unavailable)",
        "/health/started": "Startup: 200 once the model is loaded, 503 while loading or after a failed load",
        "/status": "Operational status, models, queue depth, session count",
        "/process_packet": "POST a CognitionPacket (application/json); Accept: application/x-ndjson streams tokens",
        "/schema": "JSON Schema of the CognitionPacket",
        "/metrics": "Prometheus metrics",
        "/v1/chat/completions": "POST: OpenAI-compatible chat completions (JSON, or SSE with stream: true)",
        "/v1/completions": "POST: OpenAI-compatible text completions of a raw prompt; suffix for fill-in-the-middle",
        "/v1/models": "GET: the loaded model and its context size (OpenAI-compatible)",
        "/v1/embeddings": "POST: embeddings with the embedding model (OpenAI-compatible)",
        "/tokenize": "POST: text to token ids (llama-server's shape: content, add_special, with_pieces)",
        "/detokenize": "POST: token ids to text (llama-server's shape)",
        "/apply-template": "POST: the prompt a messages list becomes with the model's chat template",
        "/props": "GET: model path, context, slots, chat template, build, default generation settings",
        "/slots": "GET: each slot: busy, the session and the start of the text it caches, tokens cached, last use",
      },
    });
  });
  return router;
}
