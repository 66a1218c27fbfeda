import express, { type Router } from "express";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { CoreClient } from "../CoreClient.js";

/**
 * The gateway's Prometheus metrics (GET /metrics), read from the client's own state at scrape time: each core
 * endpoint's health-check state and breaker, and failovers by reason.
 */
export function metricsRouter(client: CoreClient): Router {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "gaia_web_" });
  new Gauge({
    name: "gaia_web_core_up",
    help: "1 while the core endpoint answers its health check (or is not probed), 0 while marked down",
    labelNames: ["endpoint", "url"],
    registers: [registry],
    collect() {
      this.reset();
      const { primary, fallback } = client.state();
      for (const [endpoint, snap] of [
        ["primary", primary],
        ["fallback", fallback],
      ] as const) {
        if (snap) this.set({ endpoint, url: snap.url }, snap.health?.state === "down" ? 0 : 1);
      }
    },
  });
  new Gauge({
    name: "gaia_web_core_breaker_open",
    help: "1 while the endpoint's circuit breaker is not closed",
    labelNames: ["endpoint"],
    registers: [registry],
    collect() {
      this.reset();
      const { primary, fallback } = client.state();
      this.set({ endpoint: "primary" }, primary.breaker === "closed" ? 0 : 1);
      if (fallback) this.set({ endpoint: "fallback" }, fallback.breaker === "closed" ? 0 : 1);
    },
  });
  new Counter({
    name: "gaia_web_core_failovers_total",
    help: "Requests sent to the fallback core, by reason",
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(client.state().failovers)) this.inc({ reason }, count ?? 0);
    },
  });
  const router = express.Router();
  router.get("/metrics", async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
