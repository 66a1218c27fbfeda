// How full node-llama-cpp's decode batches are when several sequences generate at once, and what that costs: N
// concurrent LlamaCompletion generations (as the core runs them) on a context of 4 sequences, counting the tokens of
// each dispatched batch. With node-llama-cpp's default "nextCycle" schedule a batch goes out on the next event-loop
// cycle after the first sequence queues its token, often before the others have sampled theirs; every decode is a
// full pass over the weights, so a split batch costs a whole step.
//   node dist/bench/probes/batchFill.js --threads 2 --tokens 64 --sessions 4 [--schedule fill]
import { parseArgs } from "node:util";
import { LlamaCompletion, type LlamaContext } from "node-llama-cpp";
import { benchText } from "../benchPacket.js";
import { loadProbeModel, probeArgs } from "./probeModel.js";

const { values } = parseArgs({
  strict: false,
  options: { sessions: { type: "string" }, schedule: { type: "string" } },
});
const args = probeArgs({ threads: 2, tokens: 64 });
const sessions = Number(values.sessions ?? 4);
const { llama, model } = await loadProbeModel(args);
const batches: number[] = [];
let context: LlamaContext | undefined;
/** Waits (a few event-loop cycles at most) until every generating sequence has queued its next token. */
const fill = (dispatch: () => void) => {
  let cycles = 0;
  const check = () => {
    const queued = (context as unknown as { _queuedDecodeSequenceIds?: Set<number> })?._queuedDecodeSequenceIds?.size;
    if (queued === undefined || queued >= active || ++cycles > 20) dispatch();
    else setImmediate(check);
  };
  setImmediate(check);
};
let active = 0;
context = await model.createContext({
  contextSize: 1024,
  sequences: 4,
  threads: args.threads,
  batchSize: 512,
  flashAttention: true,
  batching: {
    ...(values.schedule === "fill" ? { dispatchSchedule: fill } : {}),
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
      active++;
      try {
        const prompt = benchText(8, i + (warm ? 100 : 0));
        const meta = await completion.generateCompletionWithMeta(prompt, {
          maxTokens: warm ? 4 : args.tokens,
          temperature: 0.8,
          seed: i + 1,
        });
        return meta.response.length;
      } finally {
        active--;
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
    schedule: values.schedule ?? "nextCycle",
    tokensPerSecond: Math.round((generated / ms) * 10_000) / 10,
    batches: batches.length,
    meanDecodeBatchTokens: Math.round((decodeBatches.reduce((a, b) => a + b, 0) / decodeBatches.length) * 100) / 100,
    fullDecodeBatches: decodeBatches.filter((b) => b === sessions).length,
  })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();
