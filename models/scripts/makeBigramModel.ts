/**
 * Generates a bigram language model as a real GGUF whose weights are computed, not trained: node-llama-cpp runs it
 * through llama.cpp's ordinary transformer graph and it writes corpus words in locally plausible order.
 *
 * How the graph is made to compute log P(next | current):
 * - `n_embd` ≥ vocabulary size, and token i's embedding is `EMBED_SCALE · e_i` (one-hot): after RMS norm every token
 *   is still its own axis, so nothing downstream can confuse two tokens.
 * - Every layer's output projections (`attn_output`, `ffn_down`) are zero, so attention and the MLP add nothing and
 *   the residual stream still holds the current token's one-hot vector when it reaches the head.
 * - `output_norm` rescales the normalised vector back to exactly e_i, and row r of `output.weight` holds
 *   log P(r | current) for every current token: the logits are the corpus bigram log-probabilities (F16, because
 *   quantizing them would distort the probabilities; the one-hot embedding is exact in Q4_0, so it is stored small).
 *
 * Two variants:
 * - "bigram" (llama architecture, ChatML template): answers are counted as `\n answer <|im_end|>`, so after the
 *   template's `<|im_start|>assistant\n` the model starts an answer, and it ends the answer with `<|im_end|>`.
 * - "qwen3-think" (qwen3 architecture, a Qwen3-style template with `<think>`/`</think>`): scripted rows make it write
 *   `<think>\n…\n</think>\n\n` first and then a bigram answer, as a Qwen3 model does. node-llama-cpp only picks its
 *   Qwen chat wrapper (which parses thoughts) for qwen-family architectures, hence the architecture.
 * - "qwen3-tools" (as qwen3-think, plus Qwen's `<tool_call>`/`</tool_call>` tokens): after its thought it opens a
 *   `<tool_call>` (practically always), as a Qwen3 model does when it decides to call a tool. A bigram model cannot see
 *   whether tools were offered, so it opens one in every answer: it exists to test tool calling in `auto` mode, where
 *   the service's grammar writes the rest of the call.
 */

import { bigramCorpus, type CorpusDialogue } from "./gguf/bigramCorpus.js";
import { bpeEncoder, byteToUnicodeTable, trainBpeVocabulary } from "./gguf/bpeTokenizer.js";
import { LLAMA_FILE_TYPE, tensorByteSize, toFloat16Bits } from "./gguf/ggmlTypes.js";
import { GGUF_ALIGNMENT, type GgufMetadataEntry, type GgufTensor, writeGguf } from "./gguf/ggufWriter.js";
import { CHATML_TEMPLATE } from "./makeLiteModel.js";
import { QWEN3_CHAT_TEMPLATE } from "./qwen3ChatTemplate.js";

/** Bumped whenever the generator's output changes, so stale bundled files are regenerated. */
export const BIGRAM_MODEL_GENERATOR_VERSION = 1;

export type BigramVariant = "bigram" | "qwen3-think" | "qwen3-tools";
export const BIGRAM_VARIANTS: readonly BigramVariant[] = ["bigram", "qwen3-think", "qwen3-tools"];

/** The Qwen3-style variants: qwen3 architecture and template, a scripted thought before every answer. */
const isQwen3 = (variant: BigramVariant) => variant !== "bigram";

/** The scripted thought of the "qwen3-think" variant: what must never reach a client. */
export const SCRIPTED_THOUGHT = "Okay, the user wants a reply. I will think quietly first and then answer briefly.";

/** llama.cpp token types. */
const TOKEN_TYPE_NORMAL = 1;
const TOKEN_TYPE_CONTROL = 3;
const TOKEN_TYPE_USER_DEFINED = 4;

/** Value of the one-hot embedding: large enough that RMS norm's epsilon is negligible, exact in f16. */
const EMBED_SCALE = 64;
const EMBED_SCALE_F16 = toFloat16Bits(EMBED_SCALE);
/** Logit of a transition the corpus never shows: probability ~e^-60 of the best one, i.e. never sampled. */
const IMPOSSIBLE_LOGIT = -60;
/** Width of the (zero) attention heads and MLP: the smallest shapes quantized blocks allow. */
const HEAD_WIDTH = 32;

export interface MakeBigramModelOptions {
  outPath: string;
  variant?: BigramVariant;
}

export interface BigramModelSummary {
  variant: BigramVariant;
  vocabSize: number;
  merges: number;
  dialogues: number;
  bigrams: number;
  parameters: number;
  bytes: number;
  stamp: string;
}

/** The `gaia.generator` metadata value; `ensureModels` compares it to spot stale files. */
export function bigramModelStamp(variant: BigramVariant = "bigram"): string {
  return `gaia-core makeBigramModel v${BIGRAM_MODEL_GENERATOR_VERSION} variant=${variant}`;
}

/** A GPT-2 byte-level token string for arbitrary text (how a multi-word scripted token is spelled in the vocab). */
function byteLevel(text: string): string {
  const table = byteToUnicodeTable();
  return [...Buffer.from(text, "utf8")].map((b) => table[b]!).join("");
}

interface Vocabulary {
  tokens: string[];
  types: number[];
  merges: string[];
  id: (token: string) => number;
}

/**
 * Trains the BPE to completion on both sides of the corpus (every corpus word becomes one token, so the model can
 * only ever emit whole corpus words), then appends the scripted tokens and the specials.
 */
function buildVocabulary(dialogues: readonly CorpusDialogue[], variant: BigramVariant): Vocabulary {
  const text = [
    "system user assistant",
    ...dialogues.flatMap((d) => [d.user, d.assistant]),
    // words of the service's system prompt, so prompts tokenize into words rather than bytes
    "You are GAIA, a helpful assistant. Persona tone neutral role default constraints answer briefly safety mode strict.",
  ].join("\n");
  const bpe = trainBpeVocabulary(100_000, text, 1);
  const tokens = [...bpe.tokens];
  const types = tokens.map(() => TOKEN_TYPE_NORMAL);
  const add = (token: string, type: number) => {
    if (tokens.includes(token)) throw new Error(`token ${JSON.stringify(token)} is already in the vocabulary`);
    tokens.push(token);
    types.push(type);
  };
  if (isQwen3(variant)) {
    // Never produced by the tokenizer (the pre-tokenizer keeps newlines apart from words); only the scripted rows
    // emit them. Their own tokens keep the thought's newlines apart from the one that opens the answer turn.
    const [first, second] = splitThought();
    add(byteLevel(`\n${first}`), TOKEN_TYPE_NORMAL);
    add(byteLevel(` ${second}\n`), TOKEN_TYPE_NORMAL);
    add(byteLevel("\n\n"), TOKEN_TYPE_NORMAL);
  }
  for (const special of ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]) add(special, TOKEN_TYPE_CONTROL);
  if (isQwen3(variant)) {
    // as in Qwen3's own vocabulary: recognised in special-token text, but detokenized as text
    for (const special of ["<think>", "</think>"]) add(special, TOKEN_TYPE_USER_DEFINED);
  }
  if (variant === "qwen3-tools")
    for (const special of ["<tool_call>", "</tool_call>"]) add(special, TOKEN_TYPE_USER_DEFINED);
  const index = new Map<string, number>();
  for (const [i, t] of tokens.entries()) if (!index.has(t)) index.set(t, i);
  const id = (token: string): number => {
    const found = index.get(token);
    if (found === undefined) throw new Error(`token ${JSON.stringify(token)} is not in the vocabulary`);
    return found;
  };
  return { tokens, types, merges: bpe.merges, id };
}

function splitThought(): [string, string] {
  const cut = SCRIPTED_THOUGHT.indexOf(". ") + 1;
  return [SCRIPTED_THOUGHT.slice(0, cut), SCRIPTED_THOUGHT.slice(cut + 1)];
}

/**
 * Counts token bigrams over the answers as the model will write them and returns dense log-probabilities:
 * `logits[current * vocab + next]`. A token never seen as "current" gets the row of the answer start, so whatever
 * the prompt ends with, the model starts an answer.
 */
function bigramLogits(
  dialogues: readonly CorpusDialogue[],
  vocab: Vocabulary,
  variant: BigramVariant,
): { logits: Float32Array; bigrams: number } {
  const n = vocab.tokens.length;
  const counts = new Map<number, Map<number, number>>();
  const count = (a: number, b: number, times = 1) => {
    let row = counts.get(a);
    if (!row) {
      row = new Map();
      counts.set(a, row);
    }
    row.set(b, (row.get(b) ?? 0) + times);
  };
  const newline = vocab.id(byteLevel("\n"));
  const imEnd = vocab.id("<|im_end|>");
  const answerStart = isQwen3(variant) ? vocab.id(byteLevel("\n\n")) : newline;
  if (isQwen3(variant)) {
    const [first, second] = splitThought();
    const script = [
      newline,
      vocab.id("<think>"),
      vocab.id(byteLevel(`\n${first}`)),
      vocab.id(byteLevel(` ${second}\n`)),
      vocab.id("</think>"),
      answerStart,
    ];
    for (let i = 0; i + 1 < script.length; i++) count(script[i]!, script[i + 1]!);
  }
  const encode = bpeEncoder(vocab.merges);
  for (const { assistant } of dialogues) {
    const words = encode(assistant).map(vocab.id);
    if (words.includes(newline)) throw new Error("a corpus answer contains a newline");
    const ids = [answerStart, ...words, imEnd];
    for (let i = 0; i + 1 < ids.length; i++) count(ids[i]!, ids[i + 1]!);
  }
  // the tool variant's answer opens a tool call: far more often than any corpus answer's first word
  if (variant === "qwen3-tools") count(answerStart, vocab.id("<tool_call>"), dialogues.length * 1000);
  const logits = new Float32Array(n * n).fill(IMPOSSIBLE_LOGIT);
  let bigrams = 0;
  const fillRow = (current: number, row: Map<number, number>) => {
    let total = 0;
    for (const c of row.values()) total += c;
    for (const [next, c] of row) logits[current * n + next] = Math.log(c / total);
  };
  const startRow = counts.get(answerStart);
  if (!startRow) throw new Error("the corpus has no answers");
  for (let current = 0; current < n; current++) {
    const row = counts.get(current);
    if (row) bigrams += row.size;
    fillRow(current, row ?? startRow);
  }
  return { logits, bigrams };
}

/** Writes the GGUF and returns a summary. Same variant → byte-identical file. */
export function makeBigramModel(options: MakeBigramModelOptions): BigramModelSummary {
  const variant = options.variant ?? "bigram";
  const stamp = bigramModelStamp(variant);
  const dialogues = bigramCorpus();
  const vocab = buildVocabulary(dialogues, variant);
  const { logits, bigrams } = bigramLogits(dialogues, vocab, variant);
  const vocabSize = vocab.tokens.length;
  const nEmbd = Math.ceil(vocabSize / 32) * 32;
  const arch = isQwen3(variant) ? "qwen3" : "llama";

  const metadata: GgufMetadataEntry[] = [
    { key: "general.architecture", type: "string", value: arch },
    {
      key: "general.name",
      type: "string",
      value: variant === "bigram" ? "gaia-lite-bigram (bigram)" : `gaia-${variant} (scripted bigram)`,
    },
    { key: "general.alignment", type: "u32", value: GGUF_ALIGNMENT },
    { key: "general.file_type", type: "u32", value: LLAMA_FILE_TYPE.F16 },
    { key: "gaia.generator", type: "string", value: stamp },
    { key: `${arch}.context_length`, type: "u32", value: 4096 },
    { key: `${arch}.embedding_length`, type: "u32", value: nEmbd },
    { key: `${arch}.block_count`, type: "u32", value: 1 },
    { key: `${arch}.feed_forward_length`, type: "u32", value: HEAD_WIDTH },
    { key: `${arch}.attention.head_count`, type: "u32", value: 1 },
    { key: `${arch}.attention.head_count_kv`, type: "u32", value: 1 },
    { key: `${arch}.attention.key_length`, type: "u32", value: HEAD_WIDTH },
    { key: `${arch}.attention.value_length`, type: "u32", value: HEAD_WIDTH },
    { key: `${arch}.attention.layer_norm_rms_epsilon`, type: "f32", value: 1e-6 },
    { key: `${arch}.rope.dimension_count`, type: "u32", value: HEAD_WIDTH },
    { key: `${arch}.rope.freq_base`, type: "f32", value: 10000 },
    { key: `${arch}.vocab_size`, type: "u32", value: vocabSize },
    { key: "tokenizer.ggml.model", type: "string", value: "gpt2" },
    { key: "tokenizer.ggml.pre", type: "string", value: "default" },
    { key: "tokenizer.ggml.tokens", type: "string[]", value: vocab.tokens },
    { key: "tokenizer.ggml.token_type", type: "i32[]", value: vocab.types },
    { key: "tokenizer.ggml.merges", type: "string[]", value: vocab.merges },
    { key: "tokenizer.ggml.bos_token_id", type: "u32", value: vocab.id("<|endoftext|>") },
    { key: "tokenizer.ggml.eos_token_id", type: "u32", value: vocab.id("<|im_end|>") },
    { key: "tokenizer.ggml.padding_token_id", type: "u32", value: vocab.id("<|endoftext|>") },
    { key: "tokenizer.ggml.add_bos_token", type: "bool", value: false },
    {
      key: "tokenizer.chat_template",
      type: "string",
      value: isQwen3(variant) ? QWEN3_CHAT_TEMPLATE : CHATML_TEMPLATE,
    },
  ];

  const zeros = (out: Uint8Array) => out.fill(0); // all-zero bytes are zeros in every ggml type
  const ones = (out: Uint8Array) => {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let o = 0; o < out.byteLength; o += 4) view.setFloat32(o, 1, true);
  };
  const tensors: GgufTensor[] = [];
  // Q4_0 block: f16 scale d, then 16 bytes of nibbles q (value d·(q−8)); scale 64 and q = 9 encode 64 exactly.
  const blockBytes = 18;
  tensors.push({
    name: "token_embd.weight",
    dims: [nEmbd, vocabSize],
    type: "Q4_0",
    fill: (out) => {
      const rowBytes = tensorByteSize([nEmbd], "Q4_0");
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (let token = 0; token < vocabSize; token++) {
        const block = Math.floor(token / 32);
        const within = token % 32;
        const offset = token * rowBytes + block * blockBytes;
        view.setUint16(offset, EMBED_SCALE_F16, true);
        // nibbles: element j < 16 in the low nibble of byte j, element j ≥ 16 in the high nibble of byte j − 16
        for (let j = 0; j < 16; j++) out[offset + 2 + j] = 0x88;
        const byte = offset + 2 + (within % 16);
        out[byte] = within < 16 ? (out[byte]! & 0xf0) | 9 : (out[byte]! & 0x0f) | (9 << 4);
      }
    },
  });
  const norm = (name: string, width: number, fill = ones) => tensors.push({ name, dims: [width], type: "F32", fill });
  const zero = (name: string, inputs: number, outputs: number) =>
    tensors.push({ name, dims: [inputs, outputs], type: "Q4_0", fill: zeros });
  norm("blk.0.attn_norm.weight", nEmbd);
  zero("blk.0.attn_q.weight", nEmbd, HEAD_WIDTH);
  zero("blk.0.attn_k.weight", nEmbd, HEAD_WIDTH);
  zero("blk.0.attn_v.weight", nEmbd, HEAD_WIDTH);
  zero("blk.0.attn_output.weight", HEAD_WIDTH, nEmbd);
  if (arch === "qwen3") {
    norm("blk.0.attn_q_norm.weight", HEAD_WIDTH);
    norm("blk.0.attn_k_norm.weight", HEAD_WIDTH);
  }
  norm("blk.0.ffn_norm.weight", nEmbd);
  zero("blk.0.ffn_gate.weight", nEmbd, HEAD_WIDTH);
  zero("blk.0.ffn_up.weight", nEmbd, HEAD_WIDTH);
  zero("blk.0.ffn_down.weight", HEAD_WIDTH, nEmbd);
  // RMS norm turns EMBED_SCALE·e_i into sqrt(n_embd)·e_i; this weight brings it back to e_i
  norm("output_norm.weight", nEmbd, (out) => {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let o = 0; o < out.byteLength; o += 4) view.setFloat32(o, 1 / Math.sqrt(nEmbd), true);
  });
  tensors.push({
    name: "output.weight",
    dims: [nEmbd, vocabSize],
    type: "F16",
    fill: (out) => {
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      const impossible = toF16(IMPOSSIBLE_LOGIT);
      for (let next = 0; next < vocabSize; next++) {
        for (let current = 0; current < nEmbd; current++) {
          const value = current < vocabSize ? toF16(logits[current * vocabSize + next]!) : impossible;
          view.setUint16((next * nEmbd + current) * 2, value, true);
        }
      }
    },
  });

  const written = writeGguf(options.outPath, metadata, tensors);
  const parameters = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  return {
    variant,
    vocabSize,
    merges: vocab.merges.length,
    dialogues: dialogues.length,
    bigrams,
    parameters,
    bytes: written.bytes,
    stamp,
  };
}

const f16Cache = new Map<number, number>();
/** f16 bits of a logit; few distinct values occur (log of count ratios), so they are cached. */
function toF16(value: number): number {
  let bits = f16Cache.get(value);
  if (bits === undefined) {
    bits = toFloat16Bits(value);
    f16Cache.set(value, bits);
  }
  return bits;
}
