import { findRedisServer, startRedisServer } from "../scripts/lib/localRedis.js";
import type { BenchRow } from "./BenchTable.js";
import { measureOverhead, type OverheadResult } from "./overheadBench.js";

export interface StoreOverheadResult {
  file: OverheadResult;
  /** Null when redis-server is not installed (`skipped` says so). */
  redis: OverheadResult | null;
  skipped: string | null;
}

/**
 * What the Redis session store costs per packet against the file store: the same stub-engine overhead run (sessions of
 * ten turns, so every packet claims, loads and appends) back to back with each store, Redis a private redis-server on
 * loopback without persistence. The difference is the store's share of the service overhead.
 */
export async function measureStoreOverhead(packets: number): Promise<StoreOverheadResult> {
  const file = await measureOverhead({ packets, embedModelDir: "none" });
  if (!findRedisServer()) return { file, redis: null, skipped: "redis-server is not installed" };
  const server = await startRedisServer();
  try {
    const redis = await measureOverhead({
      packets,
      embedModelDir: "none",
      env: { GAIA_SESSION_STORE: server.url, GAIA_REDIS_PREFIX: `bench:${Date.now()}:` },
    });
    return { file, redis, skipped: null };
  } finally {
    await server.stop();
  }
}

/** The report's rows: p50 and p95 per packet with each store, and the Redis − files difference at p50. */
export function storeOverheadRows(result: StoreOverheadResult | null): BenchRow[] {
  const section = `session store overhead (stub engine, ${result?.file.packets ?? "?"} packets, files vs Redis on loopback)`;
  const note = result?.skipped ?? undefined;
  const row = (metric: string, value: number | null): BenchRow => ({
    section,
    metric,
    value,
    unit: "ms",
    ...(note ? { note } : {}),
  });
  const diff =
    result?.redis?.p50Ms != null && result.file.p50Ms != null ? result.redis.p50Ms - result.file.p50Ms : null;
  return [
    row("per packet p50, file store", result?.file.p50Ms ?? null),
    row("per packet p50, Redis store", result?.redis?.p50Ms ?? null),
    row("per packet p95, file store", result?.file.p95Ms ?? null),
    row("per packet p95, Redis store", result?.redis?.p95Ms ?? null),
    row("Redis − files, p50", diff),
  ];
}
