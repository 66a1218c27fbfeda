import type { RequestHandler } from "express";
import type { Logger } from "../logging/logger.js";

export interface RequestLogOptions {
  /** Paths polled by machines (health checks, scrapes): logged at debug so they do not drown the info log. */
  quietPaths?: readonly string[];
}

/** One JSON log line per request when it ends, with the fields routes put in `res.locals` (packet_id, served_by…). */
export function requestLog(logger: Logger, { quietPaths = ["/health"] }: RequestLogOptions = {}): RequestHandler {
  const quiet = new Set(quietPaths);
  return (req, res, next) => {
    const started = performance.now();
    // the full path without the query: inside a router req.path is router-relative ("/models" for /v1/models)
    const path = req.originalUrl.split("?")[0] ?? req.originalUrl;
    res.on("close", () => {
      const line = {
        method: req.method,
        path,
        status: res.statusCode,
        latency_ms: Math.round((performance.now() - started) * 10) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
        ...res.locals,
      };
      if (quiet.has(path)) logger.debug(line, "request");
      else logger.info(line, "request");
    });
    next();
  };
}
