// What the context's batch size and flash attention cost and buy: a ~2,000-token prompt's evaluation time, the compute
// buffer llama.cpp reserves, and the process's peak RSS (one configuration per process, so each peak is its own).
// node-llama-cpp sets llama.cpp's micro-batch to the batch size and leaves its output reservation at the batch size,
// so the compute buffer holds logits for a whole batch (batch × vocabulary × 4 bytes).
//   node dist/bench/probes/promptBatch.js --threads 2 --batch 512 [--flash-attention]
import fs from "node:fs";
import { parseArgs } from "node:util";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { benchText } from "../benchPacket.js";
import { probeArgs } from "./probeModel.js";

const { values } = parseArgs({
  strict: false,
  options: { batch: { type: "string" }, "flash-attention": { type: "boolean" } },
});
const args = probeArgs({ threads: 2, tokens: 2000 });
const batchSize = Number(values.batch ?? 512);
const computeMiB: number[] = [];
const llama = await getLlama({
  gpu: false,
  build: "never",
  logLevel: LlamaLogLevel.info,
  maxThreads: args.threads,
  logger: (_level, message) => {
    const match = /compute buffer size\s*=\s*([\d.]+) MiB/.exec(message);
    if (match) computeMiB.push(Number(match[1]));
  },
});
const model = await llama.loadModel({ modelPath: args.model, gpuLayers: 0 });
const context = await model.createContext({
  contextSize: 4096,
  threads: args.threads,
  batchSize,
  flashAttention: values["flash-attention"] === true,
});
const sequence = context.getSequence();
const prompt = model.tokenize(benchText(Math.round(args.tokens * 0.75), 1)).slice(0, args.tokens);
const started = performance.now();
await sequence.evaluateWithoutGeneratingNewTokens(prompt);
const ms = performance.now() - started;
await new Promise((r) => setTimeout(r, 200)); // log lines arrive asynchronously
const peakKb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
process.stdout.write(
  `${JSON.stringify({
    threads: args.threads,
    batchSize,
    flashAttention: values["flash-attention"] === true,
    promptTokens: prompt.length,
    ms: Math.round(ms),
    promptTokensPerSecond: Math.round((prompt.length / ms) * 10_000) / 10,
    computeBufferMiB: computeMiB.at(-1) ?? null,
    peakRssMB: Math.round((peakKb * 1024) / 1e6),
  })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();
