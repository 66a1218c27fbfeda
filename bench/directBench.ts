import { spawn } from "node:child_process";
import path from "node:path";
import { getLlama, type LlamaContextSequence, LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { benchText } from "./benchPacket.js";
import { pinnedCommand } from "./cpuVariantPin.js";
import { median } from "./stats.js";

export interface DirectRun {
  threads: number;
  promptTokensPerSecond: number | null;
  /** Greedy decode (temperature 0), as llama-bench's tg measures it (no sampling cost to speak of). */
  decodeGreedyTokensPerSecond: number | null;
  /** Decode with the service's sampler (temperature 0.8, top-k 40, min-p 0.05, top-p 0.95, seed; no repeat penalty). */
  decodeSampledTokensPerSecond: number | null;
  /** Greedy decode while another process keeps one core busy (a second core on the box, a build, a noisy neighbour). */
  decodeGreedyContendedTokensPerSecond: number | null;
}

export interface DirectResult {
  /** The ggml CPU variant the measuring process ran (set by the pinned child, see directChild). */
  variant?: string | null;
  loadModelMs: number;
  createContextMs: number;
  promptTokens: number;
  decodeTokens: number;
  runs: DirectRun[];
}

export interface DirectOptions {
  modelPath: string;
  /** Thread counts to measure (the first is the one compared with the service). */
  threads: number[];
  contextSize: number;
  sequences: number;
  promptTokens: number;
  decodeTokens: number;
  repetitions: number;
}

/** Runs `task` while a separate process spins on one core. */
async function withBusyCore<T>(task: () => Promise<T>): Promise<T> {
  const busy = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
  try {
    await new Promise((r) => setTimeout(r, 200));
    return await task();
  } finally {
    busy.kill("SIGKILL");
  }
}

/** Greedy decode speed: (n − 1) tokens over first → last token (time to first token excluded). */
interface Sampling {
  temperature: number;
  topK?: number;
  minP?: number;
  topP?: number;
  seed?: number;
}

async function decodeSpeed(
  sequence: LlamaContextSequence,
  prompt: Token[],
  tokens: number,
  sampling: Sampling,
): Promise<number> {
  await sequence.clearHistory();
  let n = 0;
  let firstAt = 0;
  for await (const token of sequence.evaluate(prompt, sampling)) {
    void token;
    if (n === 0) firstAt = performance.now();
    if (++n >= tokens) break;
  }
  return (n - 1) / ((performance.now() - firstAt) / 1000);
}

/** Text tokens of the model's own tokenizer, cut to `count` (the same kind of text the service sees). */
function promptFor(model: LlamaModel, count: number): Token[] {
  let words = count;
  for (;;) {
    const tokens = model.tokenize(benchText(words, 1));
    if (tokens.length >= count) return tokens.slice(0, count);
    words *= 2;
  }
}

/**
 * node-llama-cpp called directly, with the service's context settings (context size, sequences, batch size) and the
 * same thread count: prompt evaluation and decode speed without the service around it (method of probe 04-bench).
 */
export async function measureDirect(options: DirectOptions): Promise<DirectResult> {
  const llama = await getLlama({
    gpu: false,
    build: "never",
    logLevel: LlamaLogLevel.warn,
    maxThreads: Math.max(...options.threads),
  });
  try {
    const t0 = performance.now();
    const model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 });
    const loadModelMs = performance.now() - t0;
    const contextSize = Math.min(options.contextSize, model.trainContextSize);
    const prompt = promptFor(model, options.promptTokens);
    const runs: DirectRun[] = [];
    let createContextMs = 0;
    try {
      for (const threads of options.threads) {
        const c0 = performance.now();
        const context = await model.createContext({
          contextSize,
          sequences: options.sequences,
          threads,
          batchSize: Math.min(512, contextSize),
          flashAttention: "auto", // as the service and llama-bench run
          outputsMax: options.sequences, // as the service sizes it: one output per sequence
        });
        if (runs.length === 0) createContextMs = performance.now() - c0;
        try {
          const sequence = context.getSequence();
          await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 8)); // page in the weights
          await sequence.clearHistory();
          const pp: number[] = [];
          const greedy: number[] = [];
          const sampled: number[] = [];
          for (let rep = 0; rep < options.repetitions; rep++) {
            await sequence.clearHistory();
            const p0 = performance.now();
            await sequence.evaluateWithoutGeneratingNewTokens(prompt);
            pp.push(prompt.length / ((performance.now() - p0) / 1000));
            greedy.push(await decodeSpeed(sequence, prompt.slice(0, 8), options.decodeTokens, { temperature: 0 }));
            sampled.push(
              await decodeSpeed(sequence, prompt.slice(0, 8), options.decodeTokens, {
                temperature: 0.8,
                topK: 40,
                minP: 0.05,
                topP: 0.95,
                seed: 1234 + rep,
              }),
            );
          }
          const contended = await withBusyCore(() =>
            decodeSpeed(sequence, prompt.slice(0, 8), options.decodeTokens, { temperature: 0 }),
          );
          runs.push({
            threads,
            promptTokensPerSecond: median(pp),
            decodeGreedyTokensPerSecond: median(greedy),
            decodeSampledTokensPerSecond: median(sampled),
            decodeGreedyContendedTokensPerSecond: contended,
          });
        } finally {
          await context.dispose();
        }
      }
    } finally {
      await model.dispose();
    }
    return { loadModelMs, createContextMs, promptTokens: prompt.length, decodeTokens: options.decodeTokens, runs };
  } finally {
    await llama.dispose();
  }
}

/** {@link measureDirect} in a child process started with `hide` covered (pinned to one CPU variant; see cpuVariantPin). */
export function measureDirectPinned(options: DirectOptions, hide: readonly string[]): Promise<DirectResult> {
  const child = path.join(import.meta.dirname, "directChild.js");
  const { command, args } = pinnedCommand(process.execPath, [child, JSON.stringify(options)], hide);
  return new Promise((resolve, reject) => {
    const run = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    run.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    run.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    run.once("error", reject);
    run.once("exit", (code, signal) => {
      const line = stdout.trim().split("\n").at(-1) ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as DirectResult);
      else
        reject(
          new Error(`direct measurement exited ${code ?? signal}: ${stderr.trim().split("\n").slice(-2).join(" | ")}`),
        );
    });
  });
}
