// How full node-llama-cpp's decode batches are when several sequences generate at once, and what that costs: N
// concurrent LlamaCompletion generations (as the core runs them) on a context of 4 sequences, counting the tokens of
// each batch. Unpatched, node-llama-cpp forms the next batch as soon as the last one's sampling is done, before the
// sequence sampled last has queued its token (48 tokens each: 67 decodes of 2.87); with the project's batch-fill patch
// (patches/) every decode carries all four. Every decode is a full pass over the weights, so a split batch costs a step.
//   node dist/bench/probes/batchFill.js --threads 2 --tokens 64 --sessions 4
import { parseArgs } from "node:util";
import { LlamaCompletion } from "node-llama-cpp";
import { benchText } from "../benchPacket.js";
import { loadProbeModel, probeArgs } from "./probeModel.js";

const { values } = parseArgs({ strict: false, options: { sessions: { type: "string" } } });
const args = probeArgs({ threads: 2, tokens: 64 });
const sessions = Number(values.sessions ?? 4);
const { llama, model } = await loadProbeModel(args);
const batches: number[] = [];
const context = await model.createContext({
  contextSize: 1024,
  sequences: 4,
  threads: args.threads,
  batchSize: 512,
  flashAttention: true,
  batching: {
    itemPrioritizationStrategy: ({ items, size }) => {
      let left = size;
      const out = items.map((item) => {
        const processAmount = Math.min(item.tokens.length, left);
        left -= processAmount;
        return { item, processAmount };
      });
      batches.push(out.reduce((sum, p) => sum + p.processAmount, 0));
      return out.filter((p) => p.processAmount > 0);
    },
  },
});
const sequences = Array.from({ length: sessions }, () => context.getSequence());
const run = (warm: boolean) =>
  Promise.all(
    sequences.map(async (sequence, i) => {
      const completion = new LlamaCompletion({ contextSequence: sequence });
      try {
        const prompt = benchText(8, i + (warm ? 100 : 0));
        const meta = await completion.generateCompletionWithMeta(prompt, {
          maxTokens: warm ? 4 : args.tokens,
          temperature: 0.8,
          seed: i + 1,
        });
        return meta.response.length;
      } finally {
        completion.dispose();
      }
    }),
  );
await run(true);
batches.length = 0;
const started = performance.now();
await run(false);
const ms = performance.now() - started;
const decodeBatches = batches.filter((b) => b <= sessions);
const generated = sessions * args.tokens;
process.stdout.write(
  `${JSON.stringify({
    threads: args.threads,
    sessions,
    tokensPerSecond: Math.round((generated / ms) * 10_000) / 10,
    batches: batches.length,
    meanDecodeBatchTokens: Math.round((decodeBatches.reduce((a, b) => a + b, 0) / decodeBatches.length) * 100) / 100,
    fullDecodeBatches: decodeBatches.filter((b) => b === sessions).length,
  })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();
