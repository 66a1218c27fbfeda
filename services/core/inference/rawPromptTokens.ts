import type { LlamaModel, Token } from "node-llama-cpp";
import { completionBeginningToken } from "./completionBeginningToken.js";
import type { RawPrompt } from "./InferenceEngine.js";
import { InfillNotSupportedError } from "./InfillNotSupportedError.js";

/** A raw prompt as node-llama-cpp's LlamaCompletion is given it, and the tokens the sequence then holds. */
export interface RawPromptTokens {
  /** The prompt (the text before the gap with a suffix), without the beginning token. */
  prefix: Token[];
  /** The text after the gap, or null for a plain completion. */
  suffix: Token[] | null;
  /** What LlamaCompletion evaluates before the first generated token: its layout, beginning token included. */
  sequence: Token[];
}

/**
 * Tokenizes a raw prompt the way llama-server does (special-token text becomes special tokens) and lays it out as
 * LlamaCompletion will: `[BOS] prompt`, or for fill-in-the-middle `[BOS] <PRE> prefix <SUF> suffix <MID>` (or the
 * suffix first when the model has no middle token). Knowing that layout up front gives the real prompt token count and
 * lets the slot with the longest cached prefix serve the request. Throws {@link InfillNotSupportedError} for a suffix
 * the model cannot take.
 */
export function rawPromptTokens(model: LlamaModel, { prompt, suffix }: RawPrompt, modelName: string): RawPromptTokens {
  const begin = completionBeginningToken(model);
  const head = begin === null ? [] : [begin];
  if (suffix === undefined) {
    const tokens = model.tokenize(prompt, true, begin !== null ? "trimLeadingSpace" : undefined);
    return { prefix: tokens, suffix: null, sequence: [...head, ...tokens] };
  }
  const { prefix: pre, suffix: suf, middle } = model.tokens.infill;
  if (pre === null || suf === null) throw new InfillNotSupportedError(modelName);
  // LlamaCompletion's infill tokenizes both parts without a leading space
  const prefix = model.tokenize(prompt, true, "trimLeadingSpace");
  const after = model.tokenize(suffix, true, "trimLeadingSpace");
  const sequence =
    middle !== null ? [...head, pre, ...prefix, suf, ...after, middle] : [...head, suf, ...after, pre, ...prefix];
  return { prefix, suffix: after, sequence };
}
