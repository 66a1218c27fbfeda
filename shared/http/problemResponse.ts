import type { ErrorRequestHandler, Response } from "express";
import type { Logger } from "../logging/logger.js";
import { HttpProblem } from "./HttpProblem.js";

/** Sends an HttpProblem as RFC 9457 application/problem+json. */
export function sendProblem(res: Response, problem: HttpProblem, instance: string): void {
  res
    .status(problem.status)
    .set(problem.headers)
    .type("application/problem+json")
    .send(
      JSON.stringify({
        type: problem.type,
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance,
        ...problem.extensions,
      }),
    );
}

export interface ProblemMiddlewareOptions {
  /** Service name used in the 500 detail. */
  service: string;
  logger: Logger;
  /** Maps other known errors (body-parser's, the domain's named errors) to problems; null means "a bug". */
  toProblem?: (error: unknown) => HttpProblem | null;
}

/**
 * The one place a service turns errors into responses: HttpProblems (and whatever `toProblem` recognises) are the
 * client's mistakes or a temporary unavailability; anything else is a bug, logged with its stack and answered 500
 * without internals.
 */
export function problemMiddleware({ service, logger, toProblem }: ProblemMiddlewareOptions): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const problem = error instanceof HttpProblem ? error : (toProblem?.(error) ?? null);
    if (problem) return sendProblem(res, problem, req.originalUrl);
    logger.error({ err: error, path: req.originalUrl }, "unhandled error");
    sendProblem(
      res,
      new HttpProblem(500, "Internal Server Error", `${service} hit an unexpected error; it is logged.`),
      req.originalUrl,
    );
  };
}
