import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { Response as ExpressResponse } from "express";
import type { ServedResponse } from "../../../shared/http/index.js";

/** Upstream headers worth passing on: the body's type and caching (SSE says no-cache), core's identity, its back-off hint. */
const RELAYED_HEADERS = [
  "content-type",
  "cache-control",
  "retry-after",
  "www-authenticate",
  "x-gaia-role",
  "x-gaia-build",
];

/**
 * Sends core's answer on unchanged: status, the headers above, and the body piped chunk by chunk (never buffered),
 * so an NDJSON stream reaches the client as core writes it. `X-Gaia-Endpoint` says which configured endpoint served,
 * `X-Gaia-Upstream` which core (origin URL).
 * If the client goes away, the pipe is torn down and the upstream body cancelled (core then stops generating).
 */
export async function relayResponse(served: ServedResponse, res: ExpressResponse): Promise<void> {
  const { response } = served;
  res.status(response.status);
  for (const name of RELAYED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) res.setHeader(name, value);
  }
  res.setHeader("X-Gaia-Endpoint", served.servedBy);
  res.setHeader("X-Gaia-Upstream", new URL(served.url).origin); // which replica answered (session affinity)
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res).catch((error: unknown) => {
    // a client that left mid-stream is normal; an upstream that died mid-stream has already cut the response short
    if (!res.destroyed) res.destroy(error as Error);
  });
}
