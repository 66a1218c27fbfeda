/**
 * Generates a synthetic llama-architecture GGUF: a real byte-level BPE tokenizer with merges, ChatML specials and
 * chat template, and deterministic random weights. The text it produces is not meaningful; it exists so the whole
 * inference path (load, tokenize, chat template, decode, stream) runs for real without downloads.
 */
import { trainBpeVocabulary } from "./gguf/bpeTokenizer.js";
import { type GgmlType, LLAMA_FILE_TYPE, tensorByteSize } from "./gguf/ggmlTypes.js";
import { GGUF_ALIGNMENT, type GgufMetadataEntry, type GgufTensor, writeGguf } from "./gguf/ggufWriter.js";
import { LLAMA_PRESETS, type LlamaPreset, type LlamaPresetName } from "./gguf/llamaPresets.js";
import { deriveSeed } from "./gguf/prng.js";
import { constantF32Filler, uniformFiller, withZeroRows } from "./gguf/weightFillers.js";

/** Bumped whenever the generator's output changes, so stale bundled files are regenerated. */
const LITE_MODEL_GENERATOR_VERSION = 3;

/** Seed used for the bundled model. */
const DEFAULT_LITE_MODEL_SEED = 1234;

/** ChatML, the format Qwen models use; node-llama-cpp recognises it and picks its ChatML wrapper. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}" +
  "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Special tokens appended after the BPE vocabulary, in this order. */
export const SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/** Fill-in-the-middle tokens (Qwen2.5-Coder's spelling), appended after the specials when `infill` is asked for. */
export const INFILL_TOKENS = { prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>" } as const;

/** llama.cpp token types. */
const TOKEN_TYPE_NORMAL = 1;
const TOKEN_TYPE_CONTROL = 3;

/** Options for {@link makeLiteModel}. */
export interface MakeLiteModelOptions {
  /** Where to write the .gguf (created or overwritten; callers wanting atomicity pass a temp path). */
  outPath: string;
  /** Model shape; defaults to "tiny". */
  preset?: LlamaPresetName;
  /** Type of the 2-D weight matrices; defaults to the preset's. */
  weightType?: GgmlType;
  /** PRNG seed; defaults to {@link DEFAULT_LITE_MODEL_SEED}. Same options → byte-identical file. */
  seed?: number;
  /** Adds {@link INFILL_TOKENS} and their `tokenizer.ggml.fim_*_token_id` keys (for fill-in-the-middle tests). */
  infill?: boolean;
}

/** What was generated. */
export interface LiteModelSummary {
  preset: LlamaPresetName;
  weightType: GgmlType;
  seed: number;
  parameters: number;
  vocabSize: number;
  merges: number;
  bytes: number;
  /** The `gaia.generator` stamp written into the file. */
  stamp: string;
}

/** The `gaia.generator` metadata value for these options; `ensureModels` compares it to spot stale files. */
export function liteModelStamp(options: Omit<MakeLiteModelOptions, "outPath">): string {
  const preset = options.preset ?? "tiny";
  const weightType = options.weightType ?? LLAMA_PRESETS[preset].weightType;
  const seed = options.seed ?? DEFAULT_LITE_MODEL_SEED;
  const infill = options.infill ? " infill" : "";
  return `gaia-core makeLiteModel v${LITE_MODEL_GENERATOR_VERSION} preset=${preset} type=${weightType} seed=${seed}${infill}`;
}

/** Builds the token list: trained BPE tokens, filler words up to the preset's vocabulary size, then the specials. */
function buildVocabulary(
  preset: LlamaPreset,
  infill: boolean,
): { tokens: string[]; types: number[]; merges: string[] } {
  const specials = [...SPECIAL_TOKENS, ...(infill ? Object.values(INFILL_TOKENS) : [])];
  const bpe = trainBpeVocabulary(preset.maxMerges);
  const tokens = [...bpe.tokens];
  const types = tokens.map(() => TOKEN_TYPE_NORMAL);
  if (preset.vocabSize > 0) {
    // Never produced by the merges; they only give the embedding and output matrices a realistic size.
    const known = new Set(tokens);
    const fillerCount = preset.vocabSize - tokens.length - specials.length;
    for (let n = 26 * 26, added = 0; added < fillerCount; n++) {
      const token = `\u0120${base26(n)}`; // "Ġ" is GPT-2's byte character for a leading space
      if (known.has(token)) continue;
      known.add(token);
      tokens.push(token);
      types.push(TOKEN_TYPE_NORMAL);
      added++;
    }
  }
  for (const special of specials) {
    tokens.push(special);
    types.push(TOKEN_TYPE_CONTROL);
  }
  return { tokens, types, merges: bpe.merges };
}

function base26(n: number): string {
  let word = "";
  do {
    word = String.fromCharCode(97 + (n % 26)) + word;
    n = Math.floor(n / 26);
  } while (n > 0);
  return word;
}

/** Writes the GGUF and returns a summary. Throws on I/O errors or an invalid preset/type combination. */
export function makeLiteModel(options: MakeLiteModelOptions): LiteModelSummary {
  const presetName = options.preset ?? "tiny";
  const preset = LLAMA_PRESETS[presetName];
  const weightType = options.weightType ?? preset.weightType;
  const seed = options.seed ?? DEFAULT_LITE_MODEL_SEED;
  const infill = options.infill === true;
  const stamp = liteModelStamp({ preset: presetName, weightType, seed, infill });

  const { tokens, types, merges } = buildVocabulary(preset, infill);
  const vocabSize = tokens.length;
  const tokenId = (t: string): number => tokens.lastIndexOf(t);
  const headDim = preset.embeddingLength / preset.headCount;
  const kvWidth = headDim * preset.headCountKv;

  const metadata: GgufMetadataEntry[] = [
    { key: "general.architecture", type: "string", value: "llama" },
    { key: "general.name", type: "string", value: preset.name },
    { key: "general.alignment", type: "u32", value: GGUF_ALIGNMENT },
    { key: "general.file_type", type: "u32", value: LLAMA_FILE_TYPE[weightType] },
    { key: "gaia.generator", type: "string", value: stamp },
    { key: "llama.context_length", type: "u32", value: preset.contextLength },
    { key: "llama.embedding_length", type: "u32", value: preset.embeddingLength },
    { key: "llama.block_count", type: "u32", value: preset.blockCount },
    { key: "llama.feed_forward_length", type: "u32", value: preset.feedForwardLength },
    { key: "llama.attention.head_count", type: "u32", value: preset.headCount },
    { key: "llama.attention.head_count_kv", type: "u32", value: preset.headCountKv },
    { key: "llama.attention.layer_norm_rms_epsilon", type: "f32", value: 1e-5 },
    { key: "llama.rope.dimension_count", type: "u32", value: headDim },
    { key: "llama.rope.freq_base", type: "f32", value: 10000 },
    { key: "llama.vocab_size", type: "u32", value: vocabSize },
    { key: "tokenizer.ggml.model", type: "string", value: "gpt2" },
    { key: "tokenizer.ggml.pre", type: "string", value: "default" },
    { key: "tokenizer.ggml.tokens", type: "string[]", value: tokens },
    { key: "tokenizer.ggml.token_type", type: "i32[]", value: types },
    { key: "tokenizer.ggml.merges", type: "string[]", value: merges },
    { key: "tokenizer.ggml.bos_token_id", type: "u32", value: tokenId("<|endoftext|>") },
    { key: "tokenizer.ggml.eos_token_id", type: "u32", value: tokenId("<|im_end|>") },
    { key: "tokenizer.ggml.padding_token_id", type: "u32", value: tokenId("<|endoftext|>") },
    { key: "tokenizer.ggml.add_bos_token", type: "bool", value: false },
    { key: "tokenizer.chat_template", type: "string", value: CHATML_TEMPLATE },
    ...(infill
      ? ([
          { key: "tokenizer.ggml.fim_pre_token_id", type: "u32", value: tokenId(INFILL_TOKENS.prefix) },
          { key: "tokenizer.ggml.fim_suf_token_id", type: "u32", value: tokenId(INFILL_TOKENS.suffix) },
          { key: "tokenizer.ggml.fim_mid_token_id", type: "u32", value: tokenId(INFILL_TOKENS.middle) },
        ] satisfies GgufMetadataEntry[])
      : []),
  ];

  const tensors: GgufTensor[] = [];
  const matrix = (
    name: string,
    inputs: number,
    outputs: number,
    std: number,
    zeroRows: readonly number[] = [],
  ): void => {
    const random = uniformFiller(weightType, std, deriveSeed(seed, name));
    const fill = zeroRows.length > 0 ? withZeroRows(random, tensorByteSize([inputs], weightType), zeroRows) : random;
    tensors.push({ name, dims: [inputs, outputs], type: weightType, fill });
  };
  // Output-head rows kept at zero so a random model writes visible text: control tokens, and byte tokens (id = byte
  // value) that are not printable on their own (C0 controls except tab/newline, DEL, and UTF-8 lead/continuation
  // bytes, which alone decode to nothing or "�").
  const unprintableByte = (b: number) => (b < 32 && b !== 9 && b !== 10) || b >= 127;
  const controlRows = tokens.flatMap((_, id) =>
    types[id] === TOKEN_TYPE_CONTROL || (id < 256 && unprintableByte(id)) ? [id] : [],
  );
  const norm = (name: string): void => {
    tensors.push({ name, dims: [preset.embeddingLength], type: "F32", fill: constantF32Filler(1) });
  };
  const n = preset.embeddingLength;
  const inStd = 1 / Math.sqrt(n);
  const ffStd = 1 / Math.sqrt(preset.feedForwardLength);

  // Tied embeddings double as the output head: std 2/sqrt(n) gives logits of std ~2, i.e. varied tokens
  // (std 1 made the model print "\n" forever).
  matrix(
    "token_embd.weight",
    n,
    vocabSize,
    (preset.tiedEmbeddings ? 2 : 1) * inStd,
    preset.tiedEmbeddings ? controlRows : [],
  );
  for (let layer = 0; layer < preset.blockCount; layer++) {
    const blk = `blk.${layer}.`;
    norm(`${blk}attn_norm.weight`);
    matrix(`${blk}attn_q.weight`, n, n, inStd);
    matrix(`${blk}attn_k.weight`, n, kvWidth, inStd);
    matrix(`${blk}attn_v.weight`, n, kvWidth, inStd);
    matrix(`${blk}attn_output.weight`, n, n, inStd);
    norm(`${blk}ffn_norm.weight`);
    matrix(`${blk}ffn_gate.weight`, n, preset.feedForwardLength, inStd);
    matrix(`${blk}ffn_up.weight`, n, preset.feedForwardLength, inStd);
    matrix(`${blk}ffn_down.weight`, preset.feedForwardLength, n, ffStd);
  }
  norm("output_norm.weight");
  if (!preset.tiedEmbeddings) matrix("output.weight", n, vocabSize, 2 * inStd, controlRows);

  const written = writeGguf(options.outPath, metadata, tensors);
  const parameters = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  return {
    preset: presetName,
    weightType,
    seed,
    parameters,
    vocabSize,
    merges: merges.length,
    bytes: written.bytes,
    stamp,
  };
}
