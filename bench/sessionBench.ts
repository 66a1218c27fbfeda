// `npm run bench:sessions`: per-packet latency of a long conversation, at session lengths 10, 100 and 1,000 turns, in
// both history modes (full: no embedding model; semantic: the bundled embedding fixture), on the tiny bundled model
// with 4-token answers, and the worst wait of `/health/live` while those packets run (the gateway's probe gives up at
// 1,000 ms). Each session is seeded as the core itself would have stored it (long turns with their token counts and,
// in semantic mode, their vectors), then a few packets are timed. Prints a table; asserts nothing.
import fs from "node:fs";
import path from "node:path";
import { loadEmbedder } from "../services/core/history/embedder/loadEmbedder.js";
import { HistorySelector } from "../services/core/history/HistorySelector.js";
import { LiteModel } from "../services/core/inference/LiteModel.js";
import { FileSessionStore } from "../services/core/sessions/FileSessionStore.js";
import { TokenCountingSessionStore } from "../services/core/sessions/TokenCountingSessionStore.js";
import { BUNDLED_EMBED_DIR_RELATIVE, BUNDLED_TINY_MODEL_RELATIVE } from "../shared/config/bundledModels.js";
import { repoRoot } from "../shared/config/repoRoot.js";
import { benchPacket, benchText } from "./benchPacket.js";
import { CoreProcess } from "./CoreProcess.js";
import { median, percentile } from "./stats.js";

const root = repoRoot();
const MODEL = path.join(root, BUNDLED_TINY_MODEL_RELATIVE);
const EMBED_DIR = path.join(root, BUNDLED_EMBED_DIR_RELATIVE);
const LENGTHS = [10, 100, 1000];
/** Timed packets per session length (after one untimed warm-up packet). */
const PACKETS = 6;
/** Words per user message and per answer of a seeded turn: ~1,000 characters a turn. */
const WORDS = 80;
const CONTEXT_SIZE = 4096;

interface Row {
  mode: "full" | "semantic";
  turns: number;
  medianMs: number | null;
  p90Ms: number | null;
  promptTokens: number;
  worstLiveMs: number;
}

/** Seeds `sessionId` with `turns` long turns, stored as the core stores them (token counts; vectors in semantic mode). */
async function seed(sharedDir: string, sessionId: string, turns: number, history: HistorySelector | null) {
  const engine = await engineForCounting();
  const store = new TokenCountingSessionStore(
    new FileSessionStore({ dir: path.join(sharedDir, "sessions") }),
    (messages) => engine.countTokens(messages),
  );
  for (let i = 0; i < turns; i++) {
    const turn = { user: benchText(WORDS, i), assistant: benchText(WORDS, i + 7) };
    const vector = history ? await history.vectorFor(turn) : undefined;
    await store.appendTurn({
      packetId: `seed-${i}`,
      sessionId,
      at: new Date().toISOString(),
      ...turn,
      ...(vector ? { vector } : {}),
    });
  }
  await store.close();
}

let countingEngine: LiteModel | null = null;
async function engineForCounting(): Promise<LiteModel> {
  countingEngine ??= await LiteModel.load({
    modelPath: MODEL,
    threads: 1,
    contextSize: 512,
    parallel: 1,
    queueSize: 1,
  });
  return countingEngine;
}

/** Polls /health/live every 10 ms until stopped; resolves with the longest wait seen. */
function watchLiveness(url: string): { stop(): Promise<number> } {
  let running = true;
  let worst = 0;
  const loop = (async () => {
    while (running) {
      const sent = performance.now();
      await fetch(`${url}/health/live`).then((r) => r.arrayBuffer());
      worst = Math.max(worst, performance.now() - sent);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return worst;
    },
  };
}

async function timedPacket(url: string, sessionId: string, packetId: string, salt: number) {
  const packet = benchPacket({ sessionId, packetId, prompt: benchText(20, salt), maxTokens: 4, temperature: 0 });
  const sent = performance.now();
  const res = await fetch(`${url}/process_packet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(packet),
  });
  const body = (await res.json()) as { metrics?: { token_usage?: { prompt_tokens?: number } } };
  if (res.status !== 200) throw new Error(`packet answered ${res.status}: ${JSON.stringify(body)}`);
  return { ms: performance.now() - sent, promptTokens: body.metrics?.token_usage?.prompt_tokens ?? 0 };
}

async function benchMode(mode: Row["mode"]): Promise<Row[]> {
  const core = await CoreProcess.start({
    entry: "dist/services/core/main.js",
    env: {
      GAIA_LITE_MODEL: MODEL,
      GAIA_EMBED_MODEL_DIR: mode === "semantic" ? EMBED_DIR : "none",
      GAIA_THREADS: "1",
      GAIA_PARALLEL: "1",
      GAIA_CONTEXT_SIZE: String(CONTEXT_SIZE),
      GAIA_MAX_TOKENS_CAP: "4",
    },
  });
  const loaded = mode === "semantic" ? await loadEmbedder({ modelDir: EMBED_DIR }) : null;
  const history =
    loaded?.mode === "semantic"
      ? new HistorySelector({
          embedder: loaded.embedder,
          fullModeReason: null,
          store: new FileSessionStore({ dir: path.join(core.sharedDir, "sessions") }),
          recentTurns: 3,
          recallTopK: 3,
          minSimilarity: 0.15,
        })
      : null;
  const rows: Row[] = [];
  try {
    for (const turns of LENGTHS) {
      const sessionId = `bench-${mode}-${turns}`;
      await seed(core.sharedDir, sessionId, turns, history);
      await timedPacket(core.url, sessionId, "warm-up", 0);
      const live = watchLiveness(core.url);
      const timed = [];
      for (let i = 0; i < PACKETS; i++) timed.push(await timedPacket(core.url, sessionId, `p${i}`, i + 1));
      const worstLiveMs = await live.stop();
      const ms = timed.map((t) => t.ms);
      rows.push({
        mode,
        turns,
        medianMs: median(ms),
        p90Ms: percentile(ms, 90),
        promptTokens: Math.round(median(timed.map((t) => t.promptTokens)) ?? 0),
        worstLiveMs,
      });
    }
  } finally {
    await history?.dispose();
    await core.stop();
  }
  return rows;
}

const fmt = (ms: number | null) => (ms === null ? "–" : `${ms.toFixed(0)} ms`);

async function main(): Promise<void> {
  const started = new Date();
  const rows = [...(await benchMode("full")), ...(await benchMode("semantic"))];
  await countingEngine?.dispose();
  const header = ["history mode", "session turns", "per packet (median)", "p90", "prompt tokens", "worst /health/live"];
  const lines = rows.map((r) => [
    r.mode,
    String(r.turns),
    fmt(r.medianMs),
    fmt(r.p90Ms),
    String(r.promptTokens),
    fmt(r.worstLiveMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const table = [row(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(row)].join("\n");
  process.stdout.write(
    `Session length bench (${started.toISOString()}; tiny model, context ${CONTEXT_SIZE}, 4-token answers, ` +
      `${PACKETS} packets per row, ~${WORDS * 2} words per stored turn)\n\n${table}\n`,
  );
  const out = path.join(root, "bench/results/sessions.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ started: started.toISOString(), rows }, null, 2)}\n`);
}

await main();
