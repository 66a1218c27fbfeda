import { benchPacket } from "./benchPacket.js";
import { CoreProcess } from "./CoreProcess.js";
import { percentile } from "./stats.js";

export interface OverheadResult {
  packets: number;
  sessions: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Same packets with NDJSON streaming. */
  ndjsonP50Ms: number | null;
  /** GET /health through the same client and connection: the HTTP + client floor under every figure above. */
  httpFloorP50Ms: number | null;
  historyMode: string;
}

export interface OverheadOptions {
  packets: number;
  /** Embedding model folder for semantic mode, or "none" (full-history mode). */
  embedModelDir: string;
  /** More core env, e.g. another session store. */
  env?: Record<string, string>;
}

/**
 * Service cost per packet without a model: the real app in its own process with the stub engine; packets are posted one
 * at a time over HTTP (keep-alive) on 127.0.0.1 and timed by the client, send → last byte. Sessions grow to ten turns,
 * so history loading and prompt fitting are included.
 */
export async function measureOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const core = await CoreProcess.start({
    entry: "dist/bench/stubCore.js",
    env: { LOG_LEVEL: "info", GAIA_EMBED_MODEL_DIR: options.embedModelDir, ...options.env },
  });
  try {
    const historyMode = String((await core.health()).history_mode);
    const sessions = Math.max(1, Math.round(options.packets / 10));
    const post = async (i: number, ndjson: boolean) => {
      const packet = benchPacket({
        sessionId: `overhead-${ndjson ? "s" : "j"}-${i % sessions}`,
        packetId: `p-${ndjson ? "s" : "j"}-${i}`,
        prompt: `Message number ${i}: how is the weather on the river this morning?`,
        maxTokens: 64,
      });
      const started = performance.now();
      const res = await fetch(`${core.url}/process_packet`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(ndjson ? { Accept: "application/x-ndjson" } : {}) },
        body: JSON.stringify(packet),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`stub core answered ${res.status}`);
      return performance.now() - started;
    };
    for (let i = 0; i < 50; i++) await post(1_000_000 + i, false); // warm-up: JIT, connection, file handles
    const floor: number[] = [];
    for (let i = 0; i < 300; i++) {
      const started = performance.now();
      await (await fetch(`${core.url}/health`)).arrayBuffer();
      floor.push(performance.now() - started);
    }
    const json: number[] = [];
    for (let i = 0; i < options.packets; i++) json.push(await post(i, false));
    const ndjson: number[] = [];
    for (let i = 0; i < Math.min(options.packets, 200); i++) ndjson.push(await post(i, true));
    return {
      packets: options.packets,
      sessions,
      historyMode,
      p50Ms: percentile(json, 50),
      p95Ms: percentile(json, 95),
      p99Ms: percentile(json, 99),
      ndjsonP50Ms: percentile(ndjson, 50),
      httpFloorP50Ms: percentile(floor, 50),
    };
  } finally {
    await core.stop();
  }
}
