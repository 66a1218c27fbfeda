/**
 * The `/v1` routes (and llama-server's ops endpoints) the gateway passes to core, and nothing else. A request's path is compared, as sent, with this list
 * (express matches case-insensitively and ignores one trailing slash, so those are allowed): `..`, `%2e%2e`, encoded
 * slashes and any other spelling never match, so they cannot be resolved by the HTTP client into a core route the
 * gateway does not pass (`/v1/%2e%2e/metrics` would otherwise reach core's own `/metrics`, sent with CORE_API_KEY).
 */

/** Core's OpenAI-compatible routes and llama-server's ops endpoints, and the method each serves. */
const PASSED_ROUTES: ReadonlyMap<string, "GET" | "POST"> = new Map([
  ["/v1/models", "GET"],
  ["/v1/chat/completions", "POST"],
  ["/v1/completions", "POST"],
  ["/v1/embeddings", "POST"],
  ["/tokenize", "POST"],
  ["/detokenize", "POST"],
  ["/apply-template", "POST"],
  ["/props", "GET"],
  ["/slots", "GET"],
]);

/**
 * llama-server's ops endpoints, passed like /v1. /props and /slots describe the core that answered (the relayed
 * X-Gaia-Role and X-Gaia-Upstream say which); the doctor asks each core directly.
 */
export const OPS_PATHS = ["/tokenize", "/detokenize", "/apply-template", "/props", "/slots"];

/** A request the gateway passes: its method and the canonical path plus query to forward. */
export interface PassedRoute {
  kind: "passed";
  method: "GET" | "POST";
  url: string;
}

/** What a `/v1` request is: a passed route, or which refusal. */
export type PassedRouteMatch = PassedRoute | { kind: "wrong-method"; allowed: "GET" | "POST" } | { kind: "unknown" };

/** Matches `originalUrl` (path and query as the client sent them) against the passed routes. */
export function matchPassedRoute(method: string, originalUrl: string): PassedRouteMatch {
  const queryAt = originalUrl.indexOf("?");
  const rawPath = queryAt < 0 ? originalUrl : originalUrl.slice(0, queryAt);
  const query = queryAt < 0 ? "" : originalUrl.slice(queryAt);
  const path = rawPath.toLowerCase().replace(/(.)\/$/, "$1");
  const allowed = PASSED_ROUTES.get(path);
  if (!allowed) return { kind: "unknown" };
  if (allowed !== method) return { kind: "wrong-method", allowed };
  return { kind: "passed", method: allowed, url: `${path}${query}` };
}
