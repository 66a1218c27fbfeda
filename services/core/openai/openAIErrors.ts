import type { ErrorRequestHandler } from "express";
import { HttpProblem } from "../../../shared/http/HttpProblem.js";
import type { Logger } from "../../../shared/logging/logger.js";
import { OpenAIError, openAIErrorFromProblem, sendOpenAIError } from "../../../shared/openai/OpenAIError.js";
import { InfillNotSupportedError } from "../inference/InfillNotSupportedError.js";
import { UnsupportedJsonSchemaError } from "../inference/UnsupportedJsonSchemaError.js";

/**
 * The /v1 edge's mapping of every error to OpenAI's shape: the domain's failures keep their status and Retry-After
 * (queue full, not ready, shutting down: 503), client mistakes are 400, and anything unexpected is a logged 500
 * without internals.
 */
export function toOpenAIError(error: unknown, toProblem: (error: unknown) => HttpProblem | null): OpenAIError | null {
  if (error instanceof OpenAIError) return error;
  if (error instanceof UnsupportedJsonSchemaError)
    return new OpenAIError(400, error.message, "invalid_request_error", "response_format.json_schema.schema");
  if (error instanceof InfillNotSupportedError)
    return new OpenAIError(400, error.message, "invalid_request_error", "suffix", "unsupported_parameter");
  const problem = error instanceof HttpProblem ? error : toProblem(error);
  return problem ? openAIErrorFromProblem(problem) : null;
}

/** Error middleware for /v1: OpenAI-shaped bodies instead of problem+json. */
export function openAIErrorMiddleware(
  logger: Logger,
  toProblem: (error: unknown) => HttpProblem | null,
): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const mapped = toOpenAIError(error, toProblem);
    if (mapped) return sendOpenAIError(res, mapped);
    logger.error({ err: error, path: req.originalUrl }, "unhandled error");
    sendOpenAIError(res, new OpenAIError(500, "gaia-core hit an unexpected error; it is logged.", "server_error"));
  };
}
