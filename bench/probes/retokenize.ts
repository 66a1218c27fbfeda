// Why a prepared next turn can still leave work: the next prompt renders the stored answer as text, and the tokens
// that text tokenizes to are what the KV cache must hold. Generates an answer, re-tokenizes its text and prints how
// many tokens match the generated ones from the start. The random-weight benchmark model samples vocabulary entries
// its own merges never produce (64 generated tokens come back as ~240), so its second turns re-evaluate the answer;
// a trained model's answers come back nearly token for token.
//   node dist/bench/probes/retokenize.js [--model models/bundled/gaia-lite-bigram.gguf]
import type { Token } from "node-llama-cpp";
import { loadProbeModel, probeArgs } from "./probeModel.js";

const args = probeArgs({ threads: 2, tokens: 64 });
const { llama, model } = await loadProbeModel(args);
const context = await model.createContext({ contextSize: 1024, threads: args.threads });
const sequence = context.getSequence();
const prompt = model.tokenize(
  "<|im_start|>user\nTell me about the river in the morning.<|im_end|>\n<|im_start|>assistant\n",
  true,
);
const generated: Token[] = [];
for await (const token of sequence.evaluate(prompt, { temperature: 0.8, topK: 40, topP: 0.95, seed: 7 })) {
  generated.push(token);
  if (generated.length >= args.tokens) break;
}
const text = model.detokenize(generated);
const again = model.tokenize(text);
let common = 0;
while (common < generated.length && generated[common] === again[common]) common++;
process.stdout.write(
  `${JSON.stringify({ model: args.model, generated: generated.length, retokenized: again.length, commonPrefix: common })}\n`,
);
await context.dispose();
await model.dispose();
await llama.dispose();
