import { benchText } from "./benchPacket.js";
import { decodeTokensPerSecond, type TimedTurn, ttftMs } from "./ndjsonTurn.js";
import { GaiaTarget, LlamaServerTarget, type PeerServerSettings, type PeerTarget } from "./peerTargets.js";
import { median } from "./stats.js";

export interface PeerWorkload {
  /** Words of user text in a cold turn (≈ 250 prompt tokens with the system message). */
  promptWords: number;
  /** Words of the follow-up message in a session's second turn. */
  followUpWords: number;
  decodeTokens: number;
  repetitions: number;
  /** 1-token round trips per server (the first one only warms the cache and is not counted). */
  roundTrips: number;
  /** Time between a turn's answer and the next message, as a person reading it would take. */
  readingPauseMs: number;
}

/** One server, one slot: the single-user figures. */
export interface SingleSlotResult {
  coldTtftMs: number | null;
  decodeTokensPerSecond: number | null;
  secondTurnTtftMs: number | null;
  roundTripMs: number | null;
  /** Prompt tokens of the cold turns and, for turn 2, how many were already in the KV cache. */
  coldPromptTokens: number | null;
  secondTurnPromptTokens: number | null;
  secondTurnReusedTokens: number | null;
  /** gaia-core only (its reflection_log): of the time to first token, waiting for the slot and the engine's part. */
  coldQueuedMs: number | null;
  coldEngineTtftMs: number | null;
  secondQueuedMs: number | null;
  secondEngineTtftMs: number | null;
  peakRssBytes: number | null;
  turns: { cold: TimedTurn; second: TimedTurn }[];
  roundTripsMs: number[];
}

export interface ConcurrentResult {
  /** Aggregate completion tokens per second by number of concurrent new sessions. */
  aggregate: Record<number, number | null>;
  samples: { sessions: number; completionTokens: number; wallMs: number }[];
  peakRssBytes: number | null;
}

export interface PeerRun {
  threads: number;
  gaia: { single: SingleSlotResult | null; concurrent: ConcurrentResult | null };
  llamaServer: { single: SingleSlotResult | null; concurrent: ConcurrentResult | null };
}

const CONCURRENCY = [1, 4] as const;

function check(turn: TimedTurn, what: string): TimedTurn {
  if (turn.status !== 200 || turn.error) throw new Error(`${what}: ${turn.error ?? `HTTP ${turn.status}`}`);
  return turn;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const finite = (values: (number | null)[]) => values.filter((v): v is number => v !== null && Number.isFinite(v));

/**
 * The single-user figures on a one-slot server: a cold ~250-token prompt (new session, own persona, nothing cached)
 * and its decode speed; the same session's second turn after a reading pause; and 1-token round trips of new sessions
 * that share a system message already in the cache.
 */
async function measureSingleSlot(target: PeerTarget, w: PeerWorkload, tag: string): Promise<SingleSlotResult> {
  check(await target.streamTurn({ sessionId: "warm", packetId: "warm-1", prompt: "Hello", maxTokens: 8 }), "warm-up");
  const turns: SingleSlotResult["turns"] = [];
  for (let rep = 0; rep < w.repetitions; rep++) {
    const sessionId = `${tag}-session-${rep}`;
    const personaId = `${tag}-persona-${1000 + rep}`;
    const cold = check(
      await target.streamTurn({
        sessionId,
        packetId: `${sessionId}-1`,
        personaId,
        prompt: benchText(w.promptWords, rep),
        maxTokens: w.decodeTokens,
      }),
      "cold turn",
    );
    await pause(w.readingPauseMs);
    const second = check(
      await target.streamTurn({
        sessionId,
        packetId: `${sessionId}-2`,
        personaId,
        prompt: benchText(w.followUpWords, 50 + rep),
        maxTokens: w.decodeTokens,
      }),
      "second turn",
    );
    await pause(w.readingPauseMs);
    turns.push({ cold, second });
  }
  const roundTripsMs: number[] = [];
  for (let i = 0; i < w.roundTrips; i++) {
    const ms = await target.roundTrip({
      sessionId: `${tag}-rt-${i}`,
      packetId: `${tag}-rt-${i}`,
      personaId: `${tag}-rt`,
      prompt: benchText(8, 70 + i),
      maxTokens: 1,
    });
    if (i > 0) roundTripsMs.push(ms);
  }
  return {
    coldTtftMs: median(finite(turns.map((t) => ttftMs(t.cold)))),
    decodeTokensPerSecond: median(finite(turns.map((t) => decodeTokensPerSecond(t.cold)))),
    secondTurnTtftMs: median(finite(turns.map((t) => ttftMs(t.second)))),
    roundTripMs: median(roundTripsMs),
    coldPromptTokens: median(turns.map((t) => t.cold.promptTokens)),
    secondTurnPromptTokens: median(turns.map((t) => t.second.promptTokens)),
    secondTurnReusedTokens: median(turns.map((t) => t.second.kvReusedTokens)),
    coldQueuedMs: median(finite(turns.map((t) => t.cold.queuedMs ?? null))),
    coldEngineTtftMs: median(finite(turns.map((t) => t.cold.engineTtftMs ?? null))),
    secondQueuedMs: median(finite(turns.map((t) => t.second.queuedMs ?? null))),
    secondEngineTtftMs: median(finite(turns.map((t) => t.second.engineTtftMs ?? null))),
    peakRssBytes: target.peakRssBytes(),
    turns,
    roundTripsMs,
  };
}

/** Aggregate decode of 1 and 4 concurrent new sessions (same persona: its system message is warm in every slot). */
async function measureConcurrent(target: PeerTarget, w: PeerWorkload, tag: string): Promise<ConcurrentResult> {
  const warm = await Promise.all(
    Array.from({ length: 4 }, (_, i) =>
      target.streamTurn({
        sessionId: `${tag}-warm-${i}`,
        packetId: `${tag}-warm-${i}`,
        personaId: `${tag}-conc`,
        prompt: benchText(8, i),
        maxTokens: 4,
      }),
    ),
  );
  for (const t of warm) check(t, "concurrency warm-up");
  await pause(w.readingPauseMs);
  const samples: ConcurrentResult["samples"] = [];
  for (let rep = 0; rep < w.repetitions; rep++) {
    for (const sessions of CONCURRENCY) {
      const started = performance.now();
      const turns = await Promise.all(
        Array.from({ length: sessions }, (_, i) =>
          target.streamTurn({
            sessionId: `${tag}-c${sessions}-${rep}-${i}`,
            packetId: `${tag}-c${sessions}-${rep}-${i}`,
            personaId: `${tag}-conc`,
            prompt: benchText(8, 30 + i + rep),
            maxTokens: w.decodeTokens,
          }),
        ),
      );
      const wallMs = Math.max(...turns.map((t) => check(t, "concurrent turn").doneAt)) - started;
      samples.push({ sessions, completionTokens: turns.reduce((sum, t) => sum + t.completionTokens, 0), wallMs });
      // back to back, as a busy server sees them: no pause between rounds
    }
  }
  const aggregate: Record<number, number | null> = {};
  for (const n of CONCURRENCY)
    aggregate[n] = median(samples.filter((s) => s.sessions === n).map((s) => s.completionTokens / (s.wallMs / 1000)));
  return { aggregate, samples, peakRssBytes: target.peakRssBytes() };
}

async function withTarget<T>(start: () => Promise<PeerTarget>, use: (t: PeerTarget) => Promise<T>): Promise<T> {
  const target = await start();
  try {
    return await use(target);
  } finally {
    await target.stop();
  }
}

export interface PeerOptions {
  modelPath: string;
  /** null: llama-server is not available; gaia-core is still measured. */
  llamaServerBinary: string | null;
  threads: readonly number[];
  contextSize: number;
  batchSize: number;
  /** Slots of the concurrent rows. */
  concurrentSlots: number;
  workload: PeerWorkload;
  onProgress?: (line: string) => void;
  onError?: (what: string, error: unknown) => void;
}

/**
 * gaia-core and llama-server side by side, one server at a time, back to back for each configuration: at each thread
 * count, one slot (single-user rows), then `concurrentSlots` slots with the same per-slot context (concurrent rows).
 */
export async function measurePeers(options: PeerOptions): Promise<PeerRun[]> {
  const log = options.onProgress ?? (() => {});
  const runs: PeerRun[] = [];
  let turn = 0;
  const guarded = async <T>(what: string, task: () => Promise<T>): Promise<T | null> => {
    try {
      return await task();
    } catch (error) {
      options.onError?.(what, error);
      return null;
    }
  };
  for (const threads of options.threads) {
    const base = {
      modelPath: options.modelPath,
      threads,
      contextSize: options.contextSize,
      batchSize: options.batchSize,
    };
    const one: PeerServerSettings = { ...base, parallel: 1 };
    const many: PeerServerSettings = { ...base, parallel: options.concurrentSlots };
    const binary = options.llamaServerBinary;
    const run: PeerRun = {
      threads,
      gaia: { single: null, concurrent: null },
      llamaServer: { single: null, concurrent: null },
    };
    // one configuration at a time, both servers back to back; who goes first alternates, so a load that drifts
    // during the run does not always favour the same side
    const backToBack = async <R>(
      slots: number,
      settings: PeerServerSettings,
      measure: (t: PeerTarget, w: PeerWorkload, tag: string) => Promise<R>,
    ): Promise<{ gaia: R | null; llamaServer: R | null }> => {
      const out: { gaia: R | null; llamaServer: R | null } = { gaia: null, llamaServer: null };
      const sides: ("gaia" | "llamaServer")[] = binary ? ["gaia", "llamaServer"] : ["gaia"];
      if (turn++ % 2 === 1) sides.reverse();
      for (const side of sides) {
        const name = side === "gaia" ? "gaia-core" : "llama-server";
        log(`peer: threads=${threads}, ${slots} slot${slots > 1 ? "s" : ""}: ${name}`);
        out[side] = await guarded(`${name} ${slots} slots, threads ${threads}`, () =>
          withTarget(
            () => (side === "gaia" || !binary ? GaiaTarget.start(settings) : LlamaServerTarget.start(binary, settings)),
            (t) => measure(t, options.workload, `t${threads}`),
          ),
        );
      }
      return out;
    };
    const single = await backToBack(1, one, measureSingleSlot);
    const concurrent = await backToBack(options.concurrentSlots, many, measureConcurrent);
    run.gaia = { single: single.gaia, concurrent: concurrent.gaia };
    run.llamaServer = { single: single.llamaServer, concurrent: concurrent.llamaServer };
    runs.push(run);
  }
  return runs;
}
