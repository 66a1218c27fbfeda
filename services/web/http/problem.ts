import type { ErrorRequestHandler, Response } from "express";
import type { Logger } from "../../../shared/logging/logger.js";

/** A gateway failure rendered as RFC 9457 `application/problem+json`. */
export class WebProblem extends Error {
  override readonly name = "WebProblem";
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** Sends `problem` as application/problem+json. */
export function sendProblem(res: Response, problem: WebProblem, instance: string): void {
  res
    .status(problem.status)
    .set(problem.headers)
    .type("application/problem+json")
    .send(
      JSON.stringify({
        type: "about:blank",
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance,
        ...problem.extensions,
      }),
    );
}

/** body-parser's errors are the client's mistakes; anything else unexpected is logged and answered 500 without internals. */
export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof WebProblem) return sendProblem(res, error, req.originalUrl);
    const type = (error as { type?: unknown }).type;
    if (type === "entity.parse.failed") {
      return sendProblem(res, new WebProblem(400, "Bad Request", "The request body is not valid JSON."), req.originalUrl);
    }
    if (type === "entity.too.large") {
      return sendProblem(res, new WebProblem(413, "Content Too Large", "The request body is too large."), req.originalUrl);
    }
    logger.error({ err: error, path: req.originalUrl }, "unhandled error");
    sendProblem(res, new WebProblem(500, "Internal Server Error", "gaia-web hit an unexpected error; it is logged."), req.originalUrl);
  };
}
