import express, { type Express } from "express";
import type { ApiKeys } from "../../shared/auth/ApiKeys.js";
import { rejectUnauthorized } from "../../shared/auth/authRejections.js";
import { isHealthPath, requireApiKey } from "../../shared/auth/requireApiKey.js";
import { HttpProblem } from "../../shared/http/HttpProblem.js";
import { problemMiddleware, sendProblem } from "../../shared/http/problemResponse.js";
import { requestLog } from "../../shared/http/requestLog.js";
import type { ServerDeadlines } from "../../shared/http/serverDeadlines.js";
import type { Logger } from "../../shared/logging/logger.js";
import type { CoreClient } from "./CoreClient.js";
import { bodyParserProblem } from "./http/bodyParserProblem.js";
import { metricsRouter } from "./observability/metrics.js";
import { infoRouter } from "./routes/infoRoutes.js";
import { openAIPassThroughRouter } from "./routes/openAIPassThrough.js";
import { processPacketRouter } from "./routes/processPacket.js";
import { processUserInputRouter } from "./routes/processUserInput.js";

/** What {@link createApp} is built from. */
export interface WebAppDeps {
  client: CoreClient;
  logger: Logger;
  /** Largest request body accepted. Default 16mb. */
  bodyLimit?: string;
  /** Keys clients must send (every route but /health); null or unset: open. */
  apiKeys?: ApiKeys | null;
  /** With keys set, /metrics still answers without one. */
  metricsPublic?: boolean;
  /** The HTTP server's deadlines, reported by /health (main.ts applies them; supertest has none). */
  server?: ServerDeadlines;
}

/** The gateway's HTTP app. Never listens: main.ts does, tests use supertest. */
export function createApp(deps: WebAppDeps): Express {
  const bodyLimit = deps.bodyLimit ?? "16mb";
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestLog(deps.logger));
  app.use(
    requireApiKey({
      keys: deps.apiKeys ?? null,
      isPublic: (req) => isHealthPath(req.path) || (deps.metricsPublic === true && req.path === "/metrics"),
      reject: rejectUnauthorized,
    }),
  );
  app.use(infoRouter(deps.client, deps.server ?? null));
  app.use(metricsRouter(deps.client));
  app.use(processUserInputRouter(deps.client, bodyLimit));
  app.use(processPacketRouter(deps.client, bodyLimit));
  app.use(openAIPassThroughRouter(deps.client, bodyLimit));
  app.use((req, res) =>
    sendProblem(res, new HttpProblem(404, "Not Found", `No route for ${req.method} ${req.path}.`), req.originalUrl),
  );
  app.use(problemMiddleware({ service: "gaia-web", logger: deps.logger, toProblem: bodyParserProblem }));
  return app;
}
