// A real redis-server for tests (Debian's package, see scripts/lib/localRedis.ts). When the binary is not installed,
// suites that need it skip and say so on stderr.
import {
  findRedisServer,
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from "../../scripts/lib/localRedis.js";

export { findRedisServer, type RedisServer, type RedisServerOptions, startRedisServer };

/**
 * True when redis-server is installed; otherwise prints one SKIPPED line naming the suite (which then uses
 * `describe.skip`): a skip is said out loud, never a silent pass.
 */
export function redisAvailable(suite: string): boolean {
  const found = findRedisServer() !== null;
  if (!found)
    process.stderr.write(`${suite}: SKIPPED: redis-server is not installed (apt-get install -y redis-server)\n`);
  return found;
}

/**
 * The Redis a suite that only reads and writes uses: the one at GAIA_TEST_REDIS_URL when CI started one, else a
 * private server (suites that kill Redis always start their own). Callers isolate themselves with a unique prefix.
 */
export async function redisForSuite(): Promise<{ url: string; stop(): Promise<void> }> {
  const shared = process.env.GAIA_TEST_REDIS_URL;
  if (shared) return { url: shared, stop: async () => {} };
  return startRedisServer();
}

/** A key prefix no other test (or run) uses. */
export function uniquePrefix(label: string): string {
  return `gaia-test:${label}:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}:`;
}
