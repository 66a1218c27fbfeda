import express, { type Router } from "express";
import type { CoreState } from "../CoreState.js";
import { readyParts } from "../http/requireReady.js";

/** GET /v1/models: the one loaded chat model, with its context size (tokens per sequence). */
export function modelsRouter(state: CoreState, model: string): Router {
  const router = express.Router();
  const created = Math.floor(state.startedAt / 1000);
  router.get("/v1/models", (_req, res) => {
    const { engine } = readyParts(state);
    res.json({
      object: "list",
      data: [
        {
          id: model,
          object: "model",
          created,
          owned_by: "gaia-core",
          context_size: engine.contextSize,
          meta: { n_ctx: engine.contextSize, name: engine.modelName },
        },
      ],
    });
  });
  return router;
}
