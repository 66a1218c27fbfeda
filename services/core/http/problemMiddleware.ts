import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../../../shared/logging/logger.js";
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors/clientErrors.js";
import { HttpProblem } from "../errors/HttpProblem.js";

/** Sends an HttpProblem as RFC 9457 application/problem+json. */
export function sendProblem(res: Parameters<RequestHandler>[1], problem: HttpProblem, instance: string): void {
  res.status(problem.status).set(problem.headers).type("application/problem+json").send(JSON.stringify({
    type: problem.type, title: problem.title, status: problem.status, detail: problem.detail, instance, ...problem.extensions,
  }));
}

/** body-parser's error types, mapped to the client mistakes they are. */
function fromBodyParser(error: { type?: string; message?: string; limit?: number }, bodyLimit: string): HttpProblem | null {
  switch (error.type) {
    case "entity.parse.failed": return new InvalidJsonError(error.message ?? "parse error");
    case "entity.too.large": return new PayloadTooLargeError(bodyLimit);
    case "encoding.unsupported":
    case "charset.unsupported": return new UnsupportedMediaTypeError(error.message);
    case "request.aborted": return null;
    default: return null;
  }
}

/**
 * The one place errors become responses: HttpProblems and body-parser errors are the client's mistakes (4xx/503);
 * anything else is our bug, logged with its stack, and answered 500 without internals.
 */
export function problemMiddleware(logger: Logger, bodyLimit: string): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const problem = error instanceof HttpProblem ? error
      : fromBodyParser(error as { type?: string }, bodyLimit);
    if (problem) return sendProblem(res, problem, req.originalUrl);
    logger.error({ err: error, path: req.originalUrl }, "unhandled error");
    sendProblem(res, new HttpProblem(500, "Internal Server Error", "gaia-core hit an unexpected error; it is logged."), req.originalUrl);
  };
}
