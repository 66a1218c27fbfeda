import express, { type Express } from "express";
import { HttpProblem } from "../../shared/http/HttpProblem.js";
import { problemMiddleware, sendProblem } from "../../shared/http/problemResponse.js";
import { requestLog } from "../../shared/http/requestLog.js";
import type { Logger } from "../../shared/logging/logger.js";
import type { CoreState } from "./CoreState.js";
import type { CoreConfig } from "./config.js";
import { bodyParserProblem } from "./http/bodyParserProblem.js";
import { domainProblem } from "./http/domainProblem.js";
import type { CoreMetrics } from "./observability/metrics.js";
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
  metrics?: Pick<CoreMetrics, "middleware" | "router">;
}

/** The core's HTTP app. Never listens: main.ts does, tests use supertest. */
export function createApp(deps: CoreAppDeps): Express {
  const app = express();
  const bodyProblem = bodyParserProblem(deps.config.bodyLimit);
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use((_req, res, next) => {
    res.set({ "X-Gaia-Role": deps.config.role, "X-Gaia-Build": deps.buildId });
    next();
  });
  app.use(requestLog(deps.logger, { quietPaths: ["/health", "/metrics"] }));
  if (deps.metrics) app.use(deps.metrics.middleware);
  app.use(healthRouter(deps));
  app.use(schemaRouter());
  app.use(processPacketRouter(deps.state, deps.config.bodyLimit));
  if (deps.metrics) app.use(deps.metrics.router);
  app.use((req, res) =>
    sendProblem(res, new HttpProblem(404, "Not Found", `No route for ${req.method} ${req.path}.`), req.originalUrl),
  );
  app.use(
    problemMiddleware({
      service: "gaia-core",
      logger: deps.logger,
      toProblem: (error) => bodyProblem(error) ?? domainProblem(error),
    }),
  );
  return app;
}
