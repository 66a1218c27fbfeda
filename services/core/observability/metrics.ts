import express, { type RequestHandler, type Router } from "express";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CoreState } from "../CoreState.js";
import type { TurnObserver } from "../pipeline/TurnOutcome.js";

export interface CoreMetrics {
  /** Counts and times every HTTP request by route and status. */
  middleware: RequestHandler;
  /** GET /metrics in the Prometheus text format. */
  router: Router;
  observer: TurnObserver;
  registry: Registry;
}

/** Prometheus metrics for one core, on its own registry (tests create several apps in one process). */
export function createMetrics(state: CoreState): CoreMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "gaia_core_" });
  registerStateGauges(registry, state);
  const router = express.Router();
  router.get("/metrics", async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { middleware: httpMetrics(registry), router, registry, observer: turnMetrics(registry) };
}

/** Requests by route and status, and their latency. */
function httpMetrics(registry: Registry): RequestHandler {
  const requests = new Counter({
    name: "gaia_core_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["route", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "gaia_core_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["route"],
    buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 15, 60, 180],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = latency.startTimer();
    res.on("close", () => {
      const route = req.route?.path
        ? String(req.route.path)
        : req.path.startsWith("/process_packet")
          ? "/process_packet"
          : "other";
      requests.inc({ route, status: String(res.statusCode) });
      end({ route });
    });
    next();
  };
}

/** Tokens, turns and time to first token of every generation (replays generate nothing and are not counted). */
function turnMetrics(registry: Registry): TurnObserver {
  const tokens = new Counter({
    name: "gaia_core_tokens_total",
    help: "Tokens by direction (prompt, prompt_reused, completion)",
    labelNames: ["direction"],
    registers: [registry],
  });
  const turns = new Counter({
    name: "gaia_core_turns_total",
    help: "Turns by stop reason and history mode",
    labelNames: ["stop", "history_mode", "kv_cache"],
    registers: [registry],
  });
  const ttft = new Histogram({
    name: "gaia_core_time_to_first_token_seconds",
    help: "Time to first generated token",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  return {
    turnCompleted(outcome) {
      if (outcome.replayed) return;
      tokens.inc({ direction: "prompt" }, outcome.promptTokens);
      tokens.inc({ direction: "prompt_reused" }, outcome.reusedPromptTokens);
      tokens.inc({ direction: "completion" }, outcome.completionTokens);
      turns.inc({
        stop: outcome.stopReason,
        history_mode: outcome.historyMode,
        kv_cache: outcome.reusedPromptTokens > 0 ? "hit" : "miss",
      });
      if (outcome.timeToFirstTokenMs !== null) ttft.observe(outcome.timeToFirstTokenMs / 1000);
    },
  };
}

/** Queue depth and readiness, read from the core's state at scrape time. */
function registerStateGauges(registry: Registry, state: CoreState): void {
  new Gauge({
    name: "gaia_core_queue_depth",
    help: "Packets generating (active) and waiting for a sequence (waiting)",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const load = state.parts?.engine.load();
      this.set({ state: "active" }, load?.active ?? 0);
      this.set({ state: "waiting" }, load?.waiting ?? 0);
    },
  });
  new Gauge({
    name: "gaia_core_ready",
    help: "1 when the model is loaded and packets are accepted",
    registers: [registry],
    collect() {
      this.set(state.status === "ready" ? 1 : 0);
    },
  });
}
