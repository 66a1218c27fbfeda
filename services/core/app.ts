import express, { type Express } from "express";
import { rejectUnauthorized } from "../../shared/auth/authRejections.js";
import { isHealthPath, requireApiKey } from "../../shared/auth/requireApiKey.js";
import { HttpProblem } from "../../shared/http/HttpProblem.js";
import { problemMiddleware, sendProblem } from "../../shared/http/problemResponse.js";
import { requestLog } from "../../shared/http/requestLog.js";
import type { Logger } from "../../shared/logging/logger.js";
import type { CoreState } from "./CoreState.js";
import type { CoreConfig } from "./config.js";
import { bodyParserProblem } from "./http/bodyParserProblem.js";
import { domainProblem } from "./http/domainProblem.js";
import type { CoreMetrics } from "./observability/metrics.js";
import { openAIRouter } from "./openai/openAIRouter.js";
import { healthRouter } from "./routes/healthRoutes.js";
import { processPacketRouter } from "./routes/processPacket.js";
import { schemaRouter } from "./routes/schemaRoute.js";
import type { PeerSessionReader } from "./sessions/PeerSessionReader.js";
import type { SessionStore } from "./sessions/SessionStore.js";

export interface CoreAppDeps {
  config: CoreConfig;
  state: CoreState;
  store: SessionStore;
  /** The peer's read-only sessions (shown by /health), when configured. */
  peer?: PeerSessionReader | null;
  logger: Logger;
  buildId: string;
  version: string;
  /** Prometheus metrics (request middleware + GET /metrics); optional in tests. */
  metrics?: Pick<CoreMetrics, "middleware" | "router" | "observer">;
}

/** The core's HTTP app. Never listens: main.ts does, tests use supertest. */
export function createApp(deps: CoreAppDeps): Express {
  // the one mapping of non-HTTP errors to problems, shared by the packet routes and /v1 (which re-shapes them)
  const bodyProblem = bodyParserProblem(deps.config.bodyLimit);
  const toProblem = (error: unknown) => bodyProblem(error) ?? domainProblem(error);
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use((_req, res, next) => {
    res.set({ "X-Gaia-Role": deps.config.role, "X-Gaia-Build": deps.buildId });
    next();
  });
  app.use(requestLog(deps.logger, { quietPaths: ["/health", "/metrics"] }));
  if (deps.metrics) app.use(deps.metrics.middleware);
  app.use(
    requireApiKey({
      keys: deps.config.apiKeys,
      isPublic: (req) => isHealthPath(req.path) || (deps.config.metricsPublic && req.path === "/metrics"),
      reject: rejectUnauthorized,
    }),
  );
  app.use(healthRouter(deps));
  app.use(schemaRouter());
  app.use(processPacketRouter(deps.state, deps.config.bodyLimit));
  app.use(
    openAIRouter({
      state: deps.state,
      modelPath: deps.config.liteModelPath,
      maxTokensCap: deps.config.maxTokensCap,
      bodyLimit: deps.config.bodyLimit,
      buildId: deps.buildId,
      reasoningFormat: deps.config.reasoningFormat,
      logger: deps.logger,
      ...(deps.metrics ? { observer: deps.metrics.observer } : {}),
      toProblem,
    }),
  );
  if (deps.metrics) app.use(deps.metrics.router);
  app.use((req, res) =>
    sendProblem(res, new HttpProblem(404, "Not Found", `No route for ${req.method} ${req.path}.`), req.originalUrl),
  );
  app.use(
    problemMiddleware({
      service: "gaia-core",
      logger: deps.logger,
      toProblem,
    }),
  );
  return app;
}
