import express, { type Router } from "express";
import type { CoreClient } from "../CoreClient.js";

/**
 * `GET /health` (the gateway's own liveness plus, per core endpoint, its health-check state — up/down, since, why —
 * and breaker, and failovers by reason) and `GET /` (what is served here).
 */
export function infoRouter(client: CoreClient): Router {
  const router = express.Router();
  router.get("/health", (_req, res) => {
    const state = client.state();
    const { primary, fallback, maintenance, failovers } = state;
    // with session affinity over N replicas, every replica's state too
    const replicas = "replicas" in state ? { replicas: state.replicas } : {};
    res.json({
      status: "healthy",
      service: "gaia-web",
      core: { primary, fallback, ...replicas },
      maintenance,
      failovers,
    });
  });
  router.get("/", (_req, res) => {
    res.json({
      service: "gaia-web",
      description:
        "GAIA web gateway: builds CognitionPackets from text and posts them to gaia-core with retry, circuit breaker and HA fallback",
      endpoints: {
        "/": "This list",
        "/health": "Gateway health; each core endpoint's health check (up/down, since, why) and breaker; failovers",
        "/metrics": "Prometheus: core endpoint up/down, breakers, failovers by reason",
        "/process_user_input":
          "POST ?user_input=… (or JSON {user_input, session_id?}) → {response, packet_id, served_by}",
        "/v1/chat/completions":
          "POST: OpenAI-compatible chat completions, passed to gaia-core (SSE relayed as it arrives)",
        "/v1/completions":
          "POST: OpenAI-compatible text completions and fill-in-the-middle (suffix), passed to gaia-core (SSE relayed)",
        "/v1/models": "GET: the cores' model (OpenAI-compatible)",
        "/v1/embeddings": "POST: embeddings from gaia-core's embedding model (OpenAI-compatible)",
        "/process_packet":
          "POST a CognitionPacket; passed to gaia-core as is (JSON, or NDJSON with Accept: application/x-ndjson)",
      },
    });
  });
  return router;
}
