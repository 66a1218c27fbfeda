import express, { type Router } from "express";
import type { HttpProblem } from "../../../shared/http/HttpProblem.js";
import type { Logger } from "../../../shared/logging/logger.js";
import { OpenAIError } from "../../../shared/openai/OpenAIError.js";
import type { CoreState } from "../CoreState.js";
import { requireReady } from "../http/requireReady.js";
import type { TurnObserver } from "../pipeline/TurnOutcome.js";
import { chatCompletionsRouter } from "./chatCompletionsRoute.js";
import { embeddingsRouter } from "./embeddingsRoute.js";
import { modelId } from "./modelId.js";
import { modelsRouter } from "./modelsRoute.js";
import { openAIErrorMiddleware } from "./openAIErrors.js";
import { textCompletionsRouter } from "./textCompletionsRoute.js";

export interface OpenAIRouterDeps {
  state: CoreState;
  modelPath: string;
  maxTokensCap: number;
  bodyLimit: string;
  buildId: string;
  reasoningFormat: "none" | "deepseek";
  logger: Logger;
  observer?: TurnObserver;
  /** Maps body-parser's errors to the client mistakes they are. */
  toProblem: (error: unknown) => HttpProblem | null;
}

/** The OpenAI-compatible API under /v1, with its errors in OpenAI's shape (unknown /v1 paths included). */
export function openAIRouter(deps: OpenAIRouterDeps): Router {
  const router = express.Router();
  // any content type is read as JSON, as llama-server does (curl -d sends form encoding by default)
  const json = express.json({ limit: deps.bodyLimit, strict: false, type: () => true });
  const model = modelId(deps.modelPath);
  router.use(["/v1/models", "/v1/chat/completions", "/v1/completions", "/v1/embeddings"], requireReady(deps.state));
  router.use(modelsRouter(deps.state, model));
  router.use(
    chatCompletionsRouter(
      {
        state: deps.state,
        maxTokensCap: deps.maxTokensCap,
        model,
        buildId: deps.buildId,
        reasoningFormat: deps.reasoningFormat,
        ...(deps.observer ? { observer: deps.observer } : {}),
      },
      json,
    ),
  );
  router.use(textCompletionsRouter({ ...deps, model }, json));
  router.use(embeddingsRouter(deps.state, json));
  router.use("/v1", (req, _res, next) => {
    next(
      new OpenAIError(404, `No route for ${req.method} ${req.originalUrl}.`, "not_found_error", null, "unknown_url"),
    );
  });
  router.use("/v1", openAIErrorMiddleware(deps.logger, deps.toProblem));
  return router;
}
