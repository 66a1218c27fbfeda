import type { RequestHandler } from "express";
import type { Logger } from "../../../shared/logging/logger.js";

/** One JSON log line per request (health checks at debug), with the packet fields the route put in res.locals. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on("close", () => {
      const line = {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        latency_ms: Math.round((performance.now() - started) * 10) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
        ...res.locals,
      };
      if (req.path === "/health" || req.path === "/metrics") logger.debug(line, "request");
      else logger.info(line, "request");
    });
    next();
  };
}
