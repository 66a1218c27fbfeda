// The bare engine's decode speed: greedy sequence.evaluate() loops (one per --sequences, run together as
// node-llama-cpp batches them) with nothing of gaia-core around them, and how many threads the process created
// meanwhile (Linux: the last PID the kernel handed out, before and after). node-llama-cpp's prebuilt CPU backend
// computes every graph on a threadpool it creates and joins for that graph (the binding attaches no persistent one, as
// llama-server does), so at 2 threads this prints about one thread per step (one token of every sequence, one batch).
// It also times the native decodeBatch call alone (around node-llama-cpp's internal addon context, which the probe
// wraps) against the whole step; compare with llama-batched-bench from the same source (-npl N) in the same minute.
// --context-sequences gives the context more sequences than generate (default: as many).
//   node dist/bench/probes/decodeLoop.js --threads 2 --tokens 200 [--sequences 4] [--context-sequences 4]
//     [--flash-attention]
import fs from "node:fs";
import { parseArgs } from "node:util";
import { loadProbeModel, probeArgs } from "./probeModel.js";

const lastPid = (): number | null => {
  try {
    return Number(fs.readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/)[4]);
  } catch {
    return null;
  }
};

const { values } = parseArgs({ strict: false, options: { "context-sequences": { type: "string" } } });
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
type Addon = { decodeBatch: () => Promise<void> };
const internal = context as unknown as { _ctx: Addon };
const addon = internal._ctx;
let decodeMs = 0;
let decodes = 0;
const timedDecode = async () => {
  const started = performance.now();
  await addon.decodeBatch();
  decodeMs += performance.now() - started;
  decodes++;
};
internal._ctx = new Proxy(addon, {
  get: (target, key) => {
    if (key === "decodeBatch") return timedDecode;
    const value = Reflect.get(target, key);
    return typeof value === "function" ? value.bind(target) : value;
  },
});
const sequences = Array.from({ length: args.sequences }, () => context.getSequence());
await Promise.all(
  sequences.map((s, i) => s.evaluateWithoutGeneratingNewTokens(model.tokenize(`Boat ${i} on the river, at the mill.`))),
);
decodeMs = 0;
decodes = 0;
const pidBefore = lastPid();
const started = performance.now();
const perSequence = await Promise.all(
  sequences.map(async (sequence) => {
    let count = 0;
    for await (const _token of sequence.evaluate(model.tokenize(" And"), { temperature: 0 })) {
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
    threadsCreatedPerStep: threadsCreated === null ? null : Math.round((threadsCreated / args.tokens) * 100) / 100,
  })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();
