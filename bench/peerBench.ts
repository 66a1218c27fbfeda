import { benchText } from "./benchPacket.js";
import type { EngineFacts } from "./engineFacts.js";
import { decodeTokensPerSecond, type TimedTurn, ttftMs } from "./ndjsonTurn.js";
import { GaiaTarget, LlamaServerTarget, type PeerServerSettings, type PeerTarget } from "./peerTargets.js";
import { median } from "./stats.js";

export interface PeerWorkload {
  /** Words of user text in a cold turn (≈ 250 prompt tokens with the system message). */
  promptWords: number;
  /** Words of user text in a long cold prompt (≈ 2,000 prompt tokens). */
  longPromptWords: number;
  /** Words of the follow-up message in a session's next turns. */
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
  /** The session's second turn, sent the moment the first answer has arrived (no pause). */
  secondTurnTtftMs: number | null;
  /** Its third turn, sent after a reading pause (gaia-core may prepare the conversation in it). */
  pausedTurnTtftMs: number | null;
  /** A new session's ~2,000-token prompt (nothing cached). */
  longTtftMs: number | null;
  roundTripMs: number | null;
  /** Prompt tokens of the cold turns and, for later turns, how many were already in the KV cache. */
  coldPromptTokens: number | null;
  longPromptTokens: number | null;
  secondTurnPromptTokens: number | null;
  secondTurnReusedTokens: number | null;
  pausedTurnPromptTokens: number | null;
  pausedTurnReusedTokens: number | null;
  /** gaia-core only (its reflection_log): of the time to first token, waiting for the slot and the engine's part. */
  coldQueuedMs: number | null;
  coldEngineTtftMs: number | null;
  secondQueuedMs: number | null;
  secondEngineTtftMs: number | null;
  pausedQueuedMs: number | null;
  pausedEngineTtftMs: number | null;
  peakRssBytes: number | null;
  engine: EngineFacts;
  turns: { cold: TimedTurn; second: TimedTurn | null; paused: TimedTurn | null }[];
  longTurns: TimedTurn[];
  roundTripsMs: number[];
}

export interface ConcurrentResult {
  /** Aggregate completion tokens per second by number of concurrent new sessions. */
  aggregate: Record<number, number | null>;
  samples: { sessions: number; completionTokens: number; wallMs: number }[];
  peakRssBytes: number | null;
  engine: EngineFacts;
}

export interface PeerSide {
  single: SingleSlotResult | null;
  concurrent: ConcurrentResult | null;
}

export interface PeerRun {
  threads: number;
  gaia: PeerSide;
  llamaServer: PeerSide;
  /** gaia-core unpinned (its own default variant) against the same pinned llama-server; null: not measured. */
  gaiaDefault: PeerSide | null;
}

const CONCURRENCY = [1, 4] as const;

function check(turn: TimedTurn, what: string): TimedTurn {
  if (turn.status !== 200 || turn.error) throw new Error(`${what}: ${turn.error ?? `HTTP ${turn.status}`}`);
  return turn;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const finite = (values: (number | null | undefined)[]) =>
  values.filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
const medianOf = <T>(items: readonly (T | null)[], pick: (item: T) => number | null | undefined) =>
  median(finite(items.map((item) => (item === null ? null : pick(item)))));

/** Which single-slot figures to take: all of them, or only the cold turn's (the default-variant rows). */
export type SingleSlotScope = "all" | "cold";

/**
 * The single-user figures on a one-slot server: a cold ~250-token prompt (new session, own persona, nothing cached)
 * and its decode speed; the same session's second turn sent right after the answer and its third after a reading
 * pause; a new session's ~2,000-token prompt; and 1-token round trips of new sessions that share a system message
 * already in the cache.
 */
async function measureSingleSlot(
  target: PeerTarget,
  w: PeerWorkload,
  tag: string,
  scope: SingleSlotScope,
): Promise<SingleSlotResult> {
  check(await target.streamTurn({ sessionId: "warm", packetId: "warm-1", prompt: "Hello", maxTokens: 8 }), "warm-up");
  const turns: SingleSlotResult["turns"] = [];
  const all = scope === "all";
  for (let rep = 0; rep < w.repetitions; rep++) {
    const sessionId = `${tag}-session-${rep}`;
    const personaId = `${tag}-persona-${1000 + rep}`;
    const next = async (n: number, words: number, what: string) =>
      check(
        await target.streamTurn({
          sessionId,
          packetId: `${sessionId}-${n}`,
          personaId,
          prompt: n === 1 ? benchText(words, rep) : benchText(words, 50 * n + rep),
          maxTokens: w.decodeTokens,
        }),
        what,
      );
    const cold = await next(1, w.promptWords, "cold turn");
    const second = all ? await next(2, w.followUpWords, "second turn") : null;
    await pause(w.readingPauseMs);
    const paused = all ? await next(3, w.followUpWords, "turn after a pause") : null;
    if (all) await pause(w.readingPauseMs);
    turns.push({ cold, second, paused });
  }
  const longTurns: TimedTurn[] = [];
  for (let rep = 0; all && rep < w.repetitions; rep++) {
    const sessionId = `${tag}-long-${rep}`;
    const long = await target.streamTurn({
      sessionId,
      packetId: `${sessionId}-1`,
      personaId: `${tag}-long-persona-${rep}`,
      prompt: benchText(w.longPromptWords, 90 + rep),
      maxTokens: 8,
    });
    longTurns.push(check(long, "long prompt"));
    await pause(w.readingPauseMs);
  }
  const roundTripsMs: number[] = [];
  for (let i = 0; all && i < w.roundTrips; i++) {
    const ms = await target.roundTrip({
      sessionId: `${tag}-rt-${i}`,
      packetId: `${tag}-rt-${i}`,
      personaId: `${tag}-rt`,
      prompt: benchText(8, 70 + i),
      maxTokens: 1,
    });
    if (i > 0) roundTripsMs.push(ms);
  }
  const cold = turns.map((t) => t.cold);
  const second = turns.map((t) => t.second);
  const paused = turns.map((t) => t.paused);
  return {
    coldTtftMs: medianOf(cold, ttftMs),
    decodeTokensPerSecond: medianOf(cold, decodeTokensPerSecond),
    secondTurnTtftMs: medianOf(second, ttftMs),
    pausedTurnTtftMs: medianOf(paused, ttftMs),
    longTtftMs: medianOf(longTurns, ttftMs),
    roundTripMs: median(roundTripsMs),
    coldPromptTokens: medianOf(cold, (t) => t.promptTokens),
    longPromptTokens: medianOf(longTurns, (t) => t.promptTokens),
    secondTurnPromptTokens: medianOf(second, (t) => t.promptTokens),
    secondTurnReusedTokens: medianOf(second, (t) => t.kvReusedTokens),
    pausedTurnPromptTokens: medianOf(paused, (t) => t.promptTokens),
    pausedTurnReusedTokens: medianOf(paused, (t) => t.kvReusedTokens),
    coldQueuedMs: medianOf(cold, (t) => t.queuedMs),
    coldEngineTtftMs: medianOf(cold, (t) => t.engineTtftMs),
    secondQueuedMs: medianOf(second, (t) => t.queuedMs),
    secondEngineTtftMs: medianOf(second, (t) => t.engineTtftMs),
    pausedQueuedMs: medianOf(paused, (t) => t.queuedMs),
    pausedEngineTtftMs: medianOf(paused, (t) => t.engineTtftMs),
    peakRssBytes: target.peakRssBytes(),
    engine: target.engine(),
    turns,
    longTurns,
    roundTripsMs,
  };
}

/**
 * The text of each new session in the concurrent rows, distinct from every other one of the run and from the warm-up's
 * (benchText repeats every 25 salts; the warm-up takes 0–3). Before, round r's session i repeated round r − 1's session
 * i + 1, and llama-server, which gives a prompt the free slot whose cache holds most of it, evaluated 1 token of those
 * where gaia-core, for a new session, evaluated all ~25: cache hits, not decode speed.
 */
export function concurrentPromptSalt(sessions: number, rep: number, session: number): number {
  return 4 + ((1 + 5 * rep + (sessions === 1 ? 0 : 1 + session)) % 21);
}

/**
 * Four short turns at once under the concurrent rows' persona (`${tag}-conc`), so that its system message is warm in
 * every slot before those rows are timed; their salts (0–3) are ones concurrentPromptSalt never gives.
 */
export async function warmConcurrentSlots(target: PeerTarget, tag: string): Promise<void> {
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
}

/** Aggregate decode of 1 and 4 concurrent new sessions (same persona: its system message is warm in every slot). */
async function measureConcurrent(target: PeerTarget, w: PeerWorkload, tag: string): Promise<ConcurrentResult> {
  await warmConcurrentSlots(target, tag);
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
            prompt: benchText(8, concurrentPromptSalt(sessions, rep, i)),
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
  return { aggregate, samples, peakRssBytes: target.peakRssBytes(), engine: target.engine() };
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
  /** Each side's ggml CPU variant files to hide: its pin (empty lists: both load their own best variant). */
  hide: { gaia: readonly string[]; llamaServer: readonly string[] };
  /** Also measure gaia-core unpinned against the pinned llama-server (AMX machines: its default vs the peer's best). */
  gaiaDefault: boolean;
  onProgress?: (line: string) => void;
  onError?: (what: string, error: unknown) => void;
}

type Side = "gaia" | "llamaServer" | "gaiaDefault";
const SIDE_NAME: Record<Side, string> = {
  gaia: "gaia-core",
  llamaServer: "llama-server",
  gaiaDefault: "gaia-core unpinned (its default variant)",
};

/**
 * gaia-core and llama-server side by side, one server at a time, back to back for each configuration: at each thread
 * count, one slot (single-user rows), then `concurrentSlots` slots with the same per-slot context (concurrent rows);
 * each pinned to its CPU variant, and gaia-core once more unpinned when asked.
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
  const binary = options.llamaServerBinary;
  for (const threads of options.threads) {
    const base = {
      modelPath: options.modelPath,
      threads,
      contextSize: options.contextSize,
      batchSize: options.batchSize,
    };
    // one configuration at a time, both servers back to back; who goes first alternates, so a load that drifts
    // during the run does not always favour the same side; the unpinned gaia-core comes last
    const backToBack = async <R>(
      parallel: number,
      measure: (t: PeerTarget, side: Side) => Promise<R>,
    ): Promise<Record<Side, R | null>> => {
      const out: Record<Side, R | null> = { gaia: null, llamaServer: null, gaiaDefault: null };
      const sides: Side[] = binary ? ["gaia", "llamaServer"] : ["gaia"];
      if (turn++ % 2 === 1) sides.reverse();
      if (options.gaiaDefault) sides.push("gaiaDefault");
      for (const side of sides) {
        const slots = `${parallel} slot${parallel > 1 ? "s" : ""}`;
        log(`peer: threads=${threads}, ${slots}: ${SIDE_NAME[side]}`);
        const hide = side === "gaiaDefault" ? [] : options.hide[side];
        const settings: PeerServerSettings = { ...base, parallel, hideVariantFiles: hide };
        out[side] = await guarded(`${SIDE_NAME[side]} ${slots}, threads ${threads}`, () =>
          withTarget(
            () =>
              side === "llamaServer" && binary ? LlamaServerTarget.start(binary, settings) : GaiaTarget.start(settings),
            (t) => measure(t, side),
          ),
        );
      }
      return out;
    };
    const tag = `t${threads}`;
    const single = await backToBack(1, (t, side) =>
      measureSingleSlot(t, options.workload, tag, side === "gaiaDefault" ? "cold" : "all"),
    );
    const concurrent = await backToBack(options.concurrentSlots, (t) => measureConcurrent(t, options.workload, tag));
    runs.push({
      threads,
      gaia: { single: single.gaia, concurrent: concurrent.gaia },
      llamaServer: { single: single.llamaServer, concurrent: concurrent.llamaServer },
      gaiaDefault: options.gaiaDefault ? { single: single.gaiaDefault, concurrent: concurrent.gaiaDefault } : null,
    });
  }
  return runs;
}
