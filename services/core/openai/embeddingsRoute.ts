import express, { type RequestHandler, type Router } from "express";
import { OpenAIError } from "../../../shared/openai/OpenAIError.js";
import type { CoreState } from "../CoreState.js";
import { readyParts } from "../http/requireReady.js";
import { openAIParamPath } from "./chatCompletionRequest.js";
import { EmbeddingsRequestSchema } from "./embeddingsRequest.js";

/** A vector as OpenAI's base64 encoding: the float32 values, little-endian (what the SDK asks for by default). */
function base64Of(vector: Float32Array): string {
  const buffer = Buffer.alloc(vector.length * 4);
  for (const [i, v] of vector.entries()) buffer.writeFloatLE(v, i * 4);
  return buffer.toString("base64");
}

/**
 * POST /v1/embeddings with the service's embedding model (the one semantic history uses). Without one (full-history
 * mode) the answer is a 503 that says so and why: the service runs, this feature does not.
 */
export function embeddingsRouter(state: CoreState, bodyParser: RequestHandler): Router {
  const router = express.Router();
  router.post("/v1/embeddings", bodyParser, async (req, res) => {
    const parsed = EmbeddingsRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue ? openAIParamPath(issue.path) : null;
      throw new OpenAIError(400, `Invalid request: ${param}: ${issue?.message}`, "invalid_request_error", param);
    }
    const request = parsed.data;
    const parts = readyParts(state);
    const embedder = parts.embedder;
    if (!embedder) {
      throw new OpenAIError(
        503,
        `This gaia-core runs without an embedding model (${parts.history.reason ?? "none configured"}); ` +
          "set GAIA_EMBED_MODEL_DIR to serve embeddings.",
        "server_error",
        "model",
        "embedding_model_unavailable",
      );
    }
    if (request.dimensions !== undefined && request.dimensions !== embedder.dim) {
      throw new OpenAIError(
        400,
        `The embedding model returns ${embedder.dim} dimensions; dimensions=${request.dimensions} is not supported.`,
        "invalid_request_error",
        "dimensions",
      );
    }
    const inputs = typeof request.input === "string" ? [request.input] : request.input;
    const vectors = await embedder.embed(inputs);
    const tokens = inputs.reduce((sum, text) => sum + (embedder.countTokens?.(text) ?? 0), 0);
    res.json({
      object: "list",
      data: vectors.map((vector, index) => ({
        object: "embedding",
        index,
        embedding: request.encoding_format === "base64" ? base64Of(vector) : Array.from(vector),
      })),
      model: embedder.name,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });
  return router;
}
