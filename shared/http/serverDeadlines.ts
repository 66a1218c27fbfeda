/**
 * Deadlines and a connection cap for a service's HTTP server, the same on core and gateway, so a client that opens
 * sockets and trickles headers or a body cannot hold them forever. Node's `requestTimeout` covers receiving the
 * request (headers and body) only: a long NDJSON or SSE answer is sent after it and is never cut by it.
 */

import type { RequestListener } from "node:http";
import http from "node:http";
import { envInt } from "../config/env.js";

/** The environment variables both services read; each refuses 0 ("off"), which would bring stuck sockets back. */
export const ServerDeadlineEnv = {
  /** Time to receive a whole request, headers and body. */
  GAIA_REQUEST_TIMEOUT_MS: envInt(100, 3_600_000).default(60_000),
  /** Time to receive a request's headers; capped by GAIA_REQUEST_TIMEOUT_MS. */
  GAIA_HEADERS_TIMEOUT_MS: envInt(100, 3_600_000).default(20_000),
  /** How long an idle keep-alive connection stays open between requests. */
  GAIA_KEEP_ALIVE_TIMEOUT_MS: envInt(100, 600_000).default(5_000),
  /** Open connections per process; beyond it new ones are refused. */
  GAIA_MAX_CONNECTIONS: envInt(1, 1_000_000).default(1024),
};

/** Resolved server limits. */
export interface ServerDeadlines {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

type DeadlineEnv = { [K in keyof typeof ServerDeadlineEnv]: number };

export function serverDeadlinesFromEnv(e: DeadlineEnv): ServerDeadlines {
  return {
    requestTimeoutMs: e.GAIA_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(e.GAIA_HEADERS_TIMEOUT_MS, e.GAIA_REQUEST_TIMEOUT_MS),
    keepAliveTimeoutMs: e.GAIA_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: e.GAIA_MAX_CONNECTIONS,
  };
}

/** The deadlines as /health reports them (the doctor reads them). */
export function serverDeadlinesBody(d: ServerDeadlines) {
  return {
    request_timeout_ms: d.requestTimeoutMs,
    headers_timeout_ms: d.headersTimeoutMs,
    keep_alive_timeout_ms: d.keepAliveTimeoutMs,
    max_connections: d.maxConnections,
  };
}

/** An HTTP server for `app` with the deadlines applied (not yet listening). */
export function createBoundedServer(app: RequestListener, deadlines: ServerDeadlines): http.Server {
  const server = http.createServer(
    {
      requestTimeout: deadlines.requestTimeoutMs,
      headersTimeout: deadlines.headersTimeoutMs,
      keepAliveTimeout: deadlines.keepAliveTimeoutMs,
      // Node checks the two request deadlines on this interval (30 s by default): keep it well under the deadline
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(deadlines.headersTimeoutMs / 4))),
    },
    app,
  );
  server.maxConnections = deadlines.maxConnections;
  return server;
}
