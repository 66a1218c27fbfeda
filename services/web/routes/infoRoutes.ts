import express, { type Router } from "express";
import { type ServerDeadlines, serverDeadlinesBody } from "../../../shared/http/serverDeadlines.js";
import type { CoreClient } from "../CoreClient.js";
import { coreCanServe } from "../health/coreCanServe.js";
import type { EndpointSnapshot } from "../http/index.js";

/**
 * `GET /health` (readiness: 200 while a core can serve, 503 while none can — both loading, both down — plus, per core
 * endpoint, its health-check state and breaker, and failovers by reason), `GET /health/live` (the gateway itself
 * answers; never depends on the cores) and `GET /` (what is served here).
 */
export function infoRouter(client: CoreClient, server: ServerDeadlines | null = null): Router {
  const router = express.Router();
  router.get("/health", (_req, res) => {
    const state = client.state();
    const { primary, fallback, maintenance, failovers } = state;
    // with session affinity over N replicas, every replica's state too
    const replicas = "replicas" in state ? (state.replicas as EndpointSnapshot[]) : null;
    const ready = coreCanServe(replicas ?? [primary, fallback]);
    res.status(ready ? 200 : 503).json({
      status: ready ? "healthy" : "unavailable",
      service: "gaia-web",
      ...(ready ? {} : { reason: "no core can serve yet: every core is loading, down or not probed yet" }),
      core: { primary, fallback, ...(replicas ? { replicas } : {}) },
      maintenance,
      failovers,
      ...(server ? { server: serverDeadlinesBody(server) } : {}),
    });
  });
  router.get("/health/live", (_req, res) => {
    res.json({ status: "alive", service: "gaia-web" });
  });
  router.get("/", (_req, res) => {
    res.json({
      service: "gaia-web",
      description:
        "GAIA web gateway: builds CognitionPackets from text and posts them to gaia-core with retry, circuit breaker and HA fallback",
      endpoints: {
        "/": "This list",
        "/health":
          "Gateway readiness (503 while no core can serve); each core endpoint's health check (up/down, since, why, ready) and breaker; failovers",
        "/health/live": "Gateway liveness: the gateway answers, whatever the cores do",
        "/metrics": "Prometheus: core endpoint up/down, breakers, failovers by reason",
        "/process_user_input":
          "POST ?user_input=… (or JSON {user_input, session_id?}) → {response, packet_id, served_by}",
        "/v1/chat/completions":
          "POST: OpenAI-compatible chat completions, passed to gaia-core (SSE relayed as it arrives)",
        "/v1/completions":
          "POST: OpenAI-compatible text completions and fill-in-the-middle (suffix), passed to gaia-core (SSE relayed)",
        "/v1/models": "GET: the cores' model (OpenAI-compatible)",
        "/v1/embeddings": "POST: embeddings from gaia-core's embedding model (OpenAI-compatible)",
        "/tokenize /detokenize /apply-template /props /slots":
          "llama-server's ops endpoints, forwarded with failover (/props and /slots describe the core that answered)",
        "/process_packet":
          "POST a CognitionPacket; passed to gaia-core as is (JSON, or NDJSON with Accept: application/x-ndjson)",
      },
    });
  });
  return router;
}
