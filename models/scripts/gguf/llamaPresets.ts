/**
 * Shapes of the synthetic llama models the generator can make. "tiny" is the bundled model (fast enough for every
 * test); the others exist for benchmarks, where realistic sizes matter more than generation time.
 */
import type { GgmlType } from "./ggmlTypes.js";

/** Hyper-parameters of a llama-architecture model. */
export interface LlamaPreset {
  /** Written as `general.name`. */
  name: string;
  /** Total vocabulary size including specials; 0 = just the trained BPE tokens and the specials. */
  vocabSize: number;
  /** BPE merges to learn from the built-in corpus (fewer if the corpus runs out of repeated pairs). */
  maxMerges: number;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  headCount: number;
  headCountKv: number;
  feedForwardLength: number;
  /** Share `token_embd` as the output head (no `output.weight`), as Qwen2.5-0.5B does. */
  tiedEmbeddings: boolean;
  /** Type of the 2-D weight matrices by default (norms are always F32). */
  weightType: GgmlType;
}

/** Preset names accepted by the CLI. */
export type LlamaPresetName = "tiny" | "small" | "mid";

export const LLAMA_PRESETS: Readonly<Record<LlamaPresetName, LlamaPreset>> = {
  /** ~0.5M parameters, ~1k vocabulary, F32: loads in milliseconds, decodes thousands of tokens/s. */
  tiny: {
    name: "gaia-lite-tiny (synthetic)",
    vocabSize: 0,
    maxMerges: 900,
    contextLength: 2048,
    embeddingLength: 128,
    blockCount: 2,
    headCount: 4,
    headCountKv: 2,
    feedForwardLength: 384,
    tiedEmbeddings: true,
    weightType: "F32",
  },
  /** ~6M parameters, 2k vocabulary, Q8_0: a quick benchmark model. */
  small: {
    name: "gaia-lite-small (synthetic)",
    vocabSize: 2048,
    maxMerges: 1500,
    contextLength: 4096,
    embeddingLength: 256,
    blockCount: 4,
    headCount: 4,
    headCountKv: 4,
    feedForwardLength: 768,
    tiedEmbeddings: false,
    weightType: "Q8_0",
  },
  /** Qwen2.5-0.5B shapes (494M parameters, vocab 151936, GQA 14/2, tied embeddings), Q8_0: ~530 MB. */
  mid: {
    name: "gaia-lite-mid-0.5b (synthetic)",
    vocabSize: 151936,
    maxMerges: 1500,
    contextLength: 4096,
    embeddingLength: 896,
    blockCount: 24,
    headCount: 14,
    headCountKv: 2,
    feedForwardLength: 4864,
    tiedEmbeddings: true,
    weightType: "Q8_0",
  },
};

/** Type guard for CLI input. */
export function isLlamaPresetName(name: string): name is LlamaPresetName {
  return Object.hasOwn(LLAMA_PRESETS, name);
}
