import { once } from "node:events";
import type { Response as ExpressResponse } from "express";
import type { ServedResponse } from "./index.js";

/** Upstream headers worth passing on: the body's type and caching (SSE says no-cache), core's identity, its back-off hint. */
const RELAYED_HEADERS = [
  "content-type",
  "cache-control",
  "retry-after",
  "www-authenticate",
  "x-gaia-role",
  "x-gaia-build",
];

const NEWLINE = 0x0a;

/**
 * Sends core's answer on unchanged: status, the headers above, and the body chunk by chunk (never buffered), so an
 * NDJSON stream reaches the client as core writes it. `X-Gaia-Endpoint` says which configured endpoint served,
 * `X-Gaia-Upstream` which core (origin URL).
 * If the client goes away, the upstream body is cancelled by the request's abort signal (core then stops generating).
 * If the upstream dies or is marked down mid-stream, an NDJSON answer ends with an `error` line (the client retries
 * with the same packet_id, which the pair answers once); any other body is cut short.
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
  const ndjson = /application\/x-ndjson/i.test(response.headers.get("content-type") ?? "");
  let endsWithNewline = true;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      if (res.destroyed) return;
      if (chunk.length > 0) endsWithNewline = chunk[chunk.length - 1] === NEWLINE;
      if (!res.write(chunk)) await Promise.race([once(res, "drain"), once(res, "close")]);
    }
    res.end();
  } catch (error) {
    if (res.destroyed) return; // the client left: nothing to tell
    if (!ndjson) {
      res.destroy(error as Error);
      return;
    }
    const value = `the stream from gaia-core ${served.servedBy} broke off: ${(error as Error).message}; retry with the same packet_id`;
    res.end(`${endsWithNewline ? "" : "\n"}${JSON.stringify({ type: "error", value })}\n`);
  }
}
