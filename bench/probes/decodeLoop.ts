// The bare engine's decode speed: greedy sequence.evaluate() loops (one per --sequences, run together as
// node-llama-cpp batches them) with nothing of gaia-core around them, and how many threads the process created
// meanwhile (Linux: the last PID the kernel handed out, before and after). node-llama-cpp's prebuilt CPU backend
// computes every graph on a threadpool it creates and joins for that graph (the binding attaches no persistent one, as
// llama-server does), so at 2 threads this prints about one thread per step (one token of every sequence, one batch).
// It also times the native decodeBatch call alone (around node-llama-cpp's internal addon context, which the probe
// wraps) against the whole step; compare with llama-batched-bench from the same source (-npl N) in the same minute.
// --context-sequences gives the context more sequences than generate (default: as many); --sampled samples as the
// service does (temperature 0.8 with its top-k, min-p, top-p and repeat penalty) instead of greedily, and the native
// sampleToken call is timed too; --prompt-words N puts N words before the loop (the bench's prompts are ~300 tokens).
//   node dist/bench/probes/decodeLoop.js --threads 2 --tokens 200 [--sequences 4] [--context-sequences 4]
//     [--flash-attention] [--sampled] [--prompt-words 250]
import fs from "node:fs";
import { parseArgs } from "node:util";
import type { SequenceEvaluateOptions, Token } from "node-llama-cpp";
import { samplingOptions } from "../../services/core/inference/samplingOptions.js";
import { benchText } from "../benchPacket.js";
import { loadProbeModel, probeArgs } from "./probeModel.js";

const lastPid = (): number | null => {
  try {
    return Number(fs.readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/)[4]);
  } catch {
    return null;
  }
};

const { values } = parseArgs({
  strict: false,
  options: { "context-sequences": { type: "string" }, "prompt-words": { type: "string" } },
});
const sampled = process.argv.includes("--sampled");
const args = probeArgs({ threads: 2, tokens: 200 });
const { llama, model } = await loadProbeModel(args);
const contextSequences = Number(values["context-sequences"] ?? args.sequences);
const context = await model.createContext({
  contextSize: 4096,
  sequences: contextSequences,
  outputsMax: contextSequences, // as gaia-core sizes it (one output per sequence)
  threads: args.threads,
  batchSize: 512,
  flashAttention: process.argv.includes("--flash-attention"),
});
// node-llama-cpp keeps the addon context in a private field; a proxy times its decodeBatch (probe only)
type Addon = {
  decodeBatch: () => Promise<void>;
  decodeBatchAndSample?: (...args: unknown[]) => Promise<unknown>;
  sampleToken: (...args: unknown[]) => Promise<unknown>;
};
const internal = context as unknown as { _ctx: Addon };
const addon = internal._ctx;
let decodeMs = 0;
let decodes = 0;
let sampleMs = 0;
let samples = 0;
const timedDecode = async () => {
  const started = performance.now();
  await addon.decodeBatch();
  decodeMs += performance.now() - started;
  decodes++;
};
// the rebuilt addon's decode that samples too (the patch's presampling): timed as a decode
const timedDecodeAndSample = async (...args: unknown[]) => {
  const started = performance.now();
  const tokens = await addon.decodeBatchAndSample?.(...args);
  decodeMs += performance.now() - started;
  decodes++;
  return tokens;
};
const timedSample = async (...args: unknown[]) => {
  const started = performance.now();
  const token = await addon.sampleToken(...args);
  sampleMs += performance.now() - started;
  samples++;
  return token;
};
internal._ctx = new Proxy(addon, {
  get: (target, key) => {
    if (key === "decodeBatch") return timedDecode;
    if (key === "decodeBatchAndSample")
      return addon.decodeBatchAndSample === undefined ? undefined : timedDecodeAndSample;
    if (key === "sampleToken") return timedSample;
    const value = Reflect.get(target, key);
    return typeof value === "function" ? value.bind(target) : value;
  },
});
const sequences = Array.from({ length: args.sequences }, () => context.getSequence());
await Promise.all(
  sequences.map((s, i) =>
    s.evaluateWithoutGeneratingNewTokens(
      model.tokenize(`${benchText(Number(values["prompt-words"] ?? 0), i)} Boat ${i} on the river, at the mill.`),
    ),
  ),
);
decodeMs = 0;
decodes = 0;
sampleMs = 0;
samples = 0;
/** The service's sampler (samplingOptions.ts) as sequence.evaluate() takes it, or greedy. */
const samplerFor = (generated: Token[]): SequenceEvaluateOptions => {
  if (!sampled) return { temperature: 0 };
  const {
    maxTokens: _all,
    repeatPenalty,
    ...sampler
  } = samplingOptions({ maxTokens: 0, temperature: 0.8, seed: 1, topP: 0.95 });
  const { lastTokens, ...penalty } = repeatPenalty;
  return { ...sampler, repeatPenalty: { ...penalty, punishTokens: () => generated.slice(-lastTokens) } };
};
const pidBefore = lastPid();
const started = performance.now();
const perSequence = await Promise.all(
  sequences.map(async (sequence) => {
    let count = 0;
    const generated: Token[] = [];
    for await (const token of sequence.evaluate(model.tokenize(" And"), samplerFor(generated))) {
      generated.push(token);
      if (++count >= args.tokens) break;
    }
    return count;
  }),
);
const generated = perSequence.reduce((a, b) => a + b, 0);
const ms = performance.now() - started;
const pidAfter = lastPid();
const threadsCreated = pidBefore === null || pidAfter === null ? null : pidAfter - pidBefore;
process.stdout.write(
  `${JSON.stringify({
    threads: args.threads,
    sequences: args.sequences,
    contextSequences: context.totalSequences,
    tokens: generated,
    tokensPerSecond: Math.round((generated / ms) * 10_000) / 10,
    msPerStep: Math.round((ms / args.tokens) * 100) / 100,
    decodeBatchMsPerCall: decodes === 0 ? null : Math.round((decodeMs / decodes) * 100) / 100,
    sampleTokenMsPerCall: samples === 0 ? null : Math.round((sampleMs / samples) * 100) / 100,
    threadsCreatedPerStep: threadsCreated === null ? null : Math.round((threadsCreated / args.tokens) * 100) / 100,
  })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();
