// Where a decode step's time goes: the native decodeBatch call alone (timed around node-llama-cpp's internal addon
// context, which this probe wraps), against the whole step, for N sequences decoding together on a context of
// --context-sequences (default N). Compare with llama-batched-bench from the same source (-npl N) in the same minute.
//   node dist/bench/probes/decodeCall.js --threads 1 --tokens 48 --sequences 4 [--context-sequences 4]
import { parseArgs } from "node:util";
import { loadProbeModel, probeArgs } from "./probeModel.js";

const { values } = parseArgs({ strict: false, options: { "context-sequences": { type: "string" } } });
const args = probeArgs({ threads: 1, tokens: 48 });
const { llama, model } = await loadProbeModel(args);
const context = await model.createContext({
  contextSize: 4096,
  sequences: Number(values["context-sequences"] ?? args.sequences),
  threads: args.threads,
  batchSize: 512,
  flashAttention: true,
});
// node-llama-cpp keeps the addon context in a private field; a proxy times its decodeBatch (probe only)
type Addon = { decodeBatch: () => Promise<void> };
const internal = context as unknown as { _ctx: Addon };
const addon = internal._ctx;
let decodeMs = 0;
let decodes = 0;
const timed = async () => {
  const started = performance.now();
  await addon.decodeBatch();
  decodeMs += performance.now() - started;
  decodes++;
};
internal._ctx = new Proxy(addon, {
  get: (target, key) => {
    if (key === "decodeBatch") return timed;
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
const started = performance.now();
await Promise.all(
  sequences.map(async (sequence) => {
    let count = 0;
    for await (const _token of sequence.evaluate(model.tokenize(" And"), { temperature: 0 })) {
      if (++count >= args.tokens) break;
    }
  }),
);
const ms = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    threads: args.threads,
    sequences: args.sequences,
    contextSequences: context.totalSequences,
    msPerStep: Math.round((ms / args.tokens) * 10) / 10,
    decodeBatchMsPerCall: Math.round((decodeMs / decodes) * 10) / 10,
    decodes,
  })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();
