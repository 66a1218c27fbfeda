// The bare engine's decode speed: greedy sequence.evaluate() loops (one per --sequences, run together as
// node-llama-cpp batches them) with nothing of gaia-core around them, and how many threads the process created
// meanwhile (Linux: the last PID the kernel handed out, before and after). node-llama-cpp's prebuilt CPU backend
// computes every graph on a threadpool it creates and joins for that graph (the binding attaches no persistent one, as
// llama-server does), so at 2 threads this prints about one thread per step (one token of every sequence, one batch).
//   node dist/bench/probes/decodeLoop.js --threads 2 --tokens 200 [--sequences 4] [--flash-attention]
import fs from "node:fs";
import { loadProbeModel, probeArgs } from "./probeModel.js";

const lastPid = (): number | null => {
  try {
    return Number(fs.readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/)[4]);
  } catch {
    return null;
  }
};

const args = probeArgs({ threads: 2, tokens: 200 });
const { llama, model } = await loadProbeModel(args);
const context = await model.createContext({
  contextSize: 4096,
  sequences: args.sequences,
  threads: args.threads,
  batchSize: 512,
  flashAttention: process.argv.includes("--flash-attention"),
});
const sequences = Array.from({ length: args.sequences }, () => context.getSequence());
await Promise.all(
  sequences.map((s, i) => s.evaluateWithoutGeneratingNewTokens(model.tokenize(`Boat ${i} on the river, at the mill.`))),
);
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
    tokens: generated,
    tokensPerSecond: Math.round((generated / ms) * 10_000) / 10,
    msPerStep: Math.round((ms / args.tokens) * 100) / 100,
    threadsCreatedPerStep: threadsCreated === null ? null : Math.round((threadsCreated / args.tokens) * 100) / 100,
  })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();
