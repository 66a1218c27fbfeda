// Where a core's resident memory comes from, stage by stage, for comparison with llama-server's peak RSS (which has no
// JavaScript runtime and reads the GGUF metadata only natively). Run with --expose-gc so each figure is after a GC.
//   node --expose-gc dist/bench/probes/memoryStages.js --threads 1
import { readGgufFileInfo } from "node-llama-cpp";
import { loadProbeModel, probeArgs } from "./probeModel.js";

const mb = (bytes: number) => Math.round(bytes / 1e6);
const stages: Record<string, number> = {};
const mark = (stage: string) => {
  (globalThis as { gc?: () => void }).gc?.();
  stages[stage] = mb(process.memoryUsage().rss);
};

mark("node + node-llama-cpp imported");
const args = probeArgs({ threads: 1, tokens: 0 });
await readGgufFileInfo(args.model);
mark("+ GGUF metadata read in JavaScript (loadModel does the same)");
const { llama, model } = await loadProbeModel(args);
mark("+ model loaded (weights mmapped)");
const context = await model.createContext({ contextSize: 4096, threads: args.threads, batchSize: 512, outputsMax: 1 });
mark("+ context (KV cache, compute buffer)");
const sequence = context.getSequence();
await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize("the river carried small boats ".repeat(50)));
mark("+ a 250-token prompt evaluated");
process.stdout.write(`${JSON.stringify({ rssMb: stages }, null, 2)}\n`);
await context.dispose();
await model.dispose();
await llama.dispose();
