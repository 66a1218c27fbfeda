import fs from "node:fs";
import path from "node:path";
import { FileSessionStore } from "../services/core/sessions/FileSessionStore.js";
import { benchPacket, benchText } from "./benchPacket.js";
import { CoreProcess } from "./CoreProcess.js";
import { decodeTokensPerSecond, postTimedTurn, promptTokensPerSecond, type TimedTurn, ttftMs } from "./ndjsonTurn.js";
import { median, ratio } from "./stats.js";

export interface ServiceOptions {
  modelPath: string;
  threads: number;
  parallel: number;
  contextSize: number;
  /** Words of user text in the single-stream turns. */
  promptWords: number;
  decodeTokens: number;
  repetitions: number;
  onProgress?: (line: string) => void;
}

export interface SecondTurnSample {
  /** Answer length of turn 1 (max_tokens). */
  answerTokens: number;
  turn1: TimedTurn;
  turn2: TimedTurn;
  /** A new session with the same history (pre-seeded) and the same text, on a cold sequence: same prompt, no cache. */
  cold: TimedTurn;
}

export interface ConcurrencySample {
  sessions: number;
  /** Completion tokens of all sessions over the wall time from the first send to the last answer. */
  aggregateTokensPerSecond: number;
  completionTokens: number;
  wallMs: number;
}

export interface ServiceResult {
  /** /health model.load_ms: getLlama + model load + context creation inside the service. */
  loadMs: number | null;
  /** Process spawn → /health 200. */
  readyMs: number;
  singleStream: TimedTurn[];
  promptTokensPerSecond: number | null;
  decodeTokensPerSecond: number | null;
  ttftMs: number | null;
  secondTurn: SecondTurnSample[];
  /** Median over repetitions of TTFT(turn 2) / TTFT(turn 1), same session, user messages of equal length (32-token answers). */
  secondVsFirstTurn: number | null;
  /** Median over repetitions of TTFT(turn 2) / TTFT(same prompt, cold sequence), 32-token turn-1 answers. */
  secondVsColdSamePrompt: number | null;
  /** The same with 1-token turn-1 answers (prefix reuse without the re-evaluated answer). */
  secondVsColdShortAnswer: number | null;
  concurrency: Record<number, number | null>;
  concurrencySamples: ConcurrencySample[];
  peakRssBytes: number | null;
  errors: string[];
}

const MAX_TOKENS_CAP = 1024;

function check(turn: TimedTurn, what: string): TimedTurn {
  if (turn.status !== 200 || turn.error) throw new Error(`${what}: ${turn.error ?? `HTTP ${turn.status}`}`);
  return turn;
}

/**
 * The real service in its own process, over HTTP on 127.0.0.1 with NDJSON streaming (client-side timestamps):
 * single-stream prompt/decode speed, second-turn TTFT against the first turn and against the same prompt with a cold
 * cache, aggregate decode with 1, 2 and 4 concurrent sessions, and the process's peak RSS.
 */
export async function measureService(options: ServiceOptions): Promise<ServiceResult> {
  const log = options.onProgress ?? (() => {});
  const spawnedAt = performance.now();
  const core = await CoreProcess.start({
    entry: "dist/services/core/main.js",
    env: {
      GAIA_LITE_MODEL: options.modelPath,
      GAIA_THREADS: String(options.threads),
      GAIA_PARALLEL: String(options.parallel),
      GAIA_QUEUE_SIZE: "64",
      GAIA_CONTEXT_SIZE: String(options.contextSize),
      GAIA_MAX_TOKENS_CAP: String(MAX_TOKENS_CAP),
    },
  });
  const readyMs = performance.now() - spawnedAt;
  const errors: string[] = [];
  try {
    const health = await core.health();
    const loadMs = (health.model as { load_ms?: number } | undefined)?.load_ms ?? null;
    const turn = (spec: Parameters<typeof benchPacket>[0]) => postTimedTurn(core.url, benchPacket(spec));
    check(await turn({ sessionId: "warmup", packetId: "warmup-1", prompt: "Hello", maxTokens: 8 }), "warm-up");

    // single stream: a new session with its own persona each time (cold KV cache for the whole prompt)
    log("service: single-stream prompt + decode");
    const singleStream: TimedTurn[] = [];
    for (let rep = 0; rep < options.repetitions; rep++) {
      singleStream.push(
        check(
          await turn({
            sessionId: `single-${rep}`,
            packetId: `single-${rep}`,
            personaId: `bench-single-${1000 + rep}`,
            prompt: benchText(options.promptWords, rep),
            maxTokens: options.decodeTokens,
          }),
          "single-stream turn",
        ),
      );
    }

    // second turn vs first turn (same session, equal user text lengths) and vs the same prompt on a cold sequence
    log("service: second-turn time to first token");
    const store = new FileSessionStore({ dir: path.join(core.sharedDir, "sessions") });
    const secondTurn: SecondTurnSample[] = [];
    for (let rep = 0; rep < options.repetitions; rep++) {
      // 32-token answers as the model writes them, and 1-token answers: the synthetic model's sampled tokens never
      // re-tokenise to themselves, so its stored answer is always evaluated again; a 1-token answer isolates the reuse
      // of the prefix (system message + earlier turns) that a real model's answers keep too
      for (const answerTokens of [32, 1]) {
        const tag = `${answerTokens}-${rep}`;
        const sessionId = `two-turns-${tag}`;
        const personaId = `bench-turns-${1000 + rep}-${answerTokens}`;
        const words = 24;
        const turn1 = check(
          await turn({
            sessionId,
            packetId: `${sessionId}-1`,
            personaId,
            prompt: benchText(words, 10 + rep),
            maxTokens: answerTokens,
          }),
          "turn 1",
        );
        const turn2Text = benchText(words, 20 + rep);
        const turn2 = check(
          await turn({ sessionId, packetId: `${sessionId}-2`, personaId, prompt: turn2Text, maxTokens: 32 }),
          "turn 2",
        );
        const coldId = `cold-${tag}`;
        const [first] = await store.load(sessionId);
        if (!first) throw new Error("turn 1 was not stored");
        await store.appendTurn({ ...first, sessionId: coldId });
        const cold = check(
          await turn({
            sessionId: coldId,
            packetId: `${coldId}-2`,
            personaId: `bench-turns-${2000 + rep}-${answerTokens}`,
            prompt: turn2Text,
            maxTokens: 32,
          }),
          "cold turn",
        );
        secondTurn.push({ answerTokens, turn1, turn2, cold });
      }
    }

    // aggregate decode with 1, 2, 4 concurrent sessions (new sessions, same persona: the system prompt is warm in every slot)
    log("service: concurrent sessions");
    const concurrencySamples: ConcurrencySample[] = [];
    const warm = Array.from({ length: options.parallel }, (_, i) =>
      turn({
        sessionId: `conc-warm-${i}`,
        packetId: `conc-warm-${i}`,
        personaId: "bench-concurrency",
        prompt: benchText(8, i),
        maxTokens: 4,
      }),
    );
    for (const t of await Promise.all(warm)) check(t, "concurrency warm-up");
    const levels = [1, 2, 4].filter((n) => n <= Math.max(4, options.parallel));
    for (let rep = 0; rep < options.repetitions; rep++) {
      for (const sessions of levels) {
        const started = performance.now();
        const turns = await Promise.all(
          Array.from({ length: sessions }, (_, i) =>
            turn({
              sessionId: `conc-${sessions}-${rep}-${i}`,
              packetId: `conc-${sessions}-${rep}-${i}`,
              personaId: "bench-concurrency",
              prompt: benchText(8, 30 + i + rep),
              maxTokens: options.decodeTokens,
            }),
          ),
        );
        const wallMs = Math.max(...turns.map((t) => check(t, "concurrent turn").doneAt)) - started;
        const completionTokens = turns.reduce((sum, t) => sum + t.completionTokens, 0);
        concurrencySamples.push({
          sessions,
          completionTokens,
          wallMs,
          aggregateTokensPerSecond: completionTokens / (wallMs / 1000),
        });
      }
    }
    const concurrency: Record<number, number | null> = {};
    for (const sessions of levels) {
      concurrency[sessions] = median(
        concurrencySamples.filter((s) => s.sessions === sessions).map((s) => s.aggregateTokensPerSecond),
      );
    }

    const numbers = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
    return {
      loadMs,
      readyMs,
      singleStream,
      promptTokensPerSecond: median(numbers(singleStream.map(promptTokensPerSecond))),
      decodeTokensPerSecond: median(numbers(singleStream.map(decodeTokensPerSecond))),
      ttftMs: median(numbers(singleStream.map(ttftMs))),
      secondTurn,
      secondVsFirstTurn: median(
        numbers(secondTurn.filter((s) => s.answerTokens > 1).map((s) => ratio(ttftMs(s.turn2), ttftMs(s.turn1)))),
      ),
      secondVsColdSamePrompt: median(
        numbers(secondTurn.filter((s) => s.answerTokens > 1).map((s) => ratio(ttftMs(s.turn2), ttftMs(s.cold)))),
      ),
      secondVsColdShortAnswer: median(
        numbers(secondTurn.filter((s) => s.answerTokens === 1).map((s) => ratio(ttftMs(s.turn2), ttftMs(s.cold)))),
      ),
      concurrency,
      concurrencySamples,
      peakRssBytes: core.peakRssBytes(),
      errors,
    };
  } finally {
    await core.stop();
  }
}

/** Peak RSS of a service started with the default GAIA_PARALLEL and GAIA_CONTEXT_SIZE, after a few turns. */
export async function measureDefaultRss(
  modelPath: string,
  threads: number,
  decodeTokens: number,
): Promise<{ peakRssBytes: number | null; parallel: number; contextSize: number | null }> {
  const core = await CoreProcess.start({
    entry: "dist/services/core/main.js",
    env: { GAIA_LITE_MODEL: modelPath, GAIA_THREADS: String(threads) },
  });
  try {
    const health = await core.health();
    const turns = await Promise.all(
      [0, 1].map((i) =>
        postTimedTurn(
          core.url,
          benchPacket({
            sessionId: `rss-${i}`,
            packetId: `rss-${i}`,
            prompt: benchText(96, i),
            maxTokens: decodeTokens,
          }),
        ),
      ),
    );
    for (const t of turns) check(t, "rss turn");
    const status = (await (await fetch(`${core.url}/status`)).json()) as { queue?: { slots?: number } };
    return {
      peakRssBytes: core.peakRssBytes(),
      parallel: status.queue?.slots ?? 0,
      contextSize: (health.model as { context_size?: number | null } | undefined)?.context_size ?? null,
    };
  } finally {
    await core.stop();
  }
}

/** Size of a file in bytes (the model), or null. */
export function fileBytes(file: string): number | null {
  try {
    return fs.statSync(file).size;
  } catch {
    return null;
  }
}
