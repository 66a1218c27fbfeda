import { createHash } from "node:crypto";

/**
 * Rendezvous (highest-random-weight) hashing: every endpoint gets a score from hash(endpoint, key) and the endpoints
 * are returned best first. The same key always prefers the same endpoint (its KV cache stays warm there); removing an
 * endpoint moves only the keys that preferred it, each to its own next choice, so one lost replica's sessions spread
 * over all the others instead of piling onto one. Pure: no state, same answer in every gateway process.
 */
export function rendezvousOrder<T extends string>(key: string, endpoints: readonly T[]): T[] {
  return endpoints
    .map((endpoint) => ({ endpoint, score: score(endpoint, key) }))
    .sort((a, b) => (a.score === b.score ? (a.endpoint < b.endpoint ? -1 : 1) : b.score > a.score ? 1 : -1))
    .map(({ endpoint }) => endpoint);
}

function score(endpoint: string, key: string): bigint {
  return createHash("sha256").update(endpoint).update("\u0000").update(key).digest().readBigUInt64BE(0);
}
