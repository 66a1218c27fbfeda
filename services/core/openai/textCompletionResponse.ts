import type { GenerationResult } from "../inference/InferenceEngine.js";
import { usageOf } from "./chatCompletionResponse.js";

export type TextCompletionUsage = ReturnType<typeof usageOf>;

/** One usage object for all the prompts of a request: their generations' tokens added up. */
export function totalUsage(
  results: readonly Pick<GenerationResult, "promptTokens" | "completionTokens" | "reusedPromptTokens">[],
): TextCompletionUsage {
  return usageOf({
    promptTokens: results.reduce((n, r) => n + r.promptTokens, 0),
    completionTokens: results.reduce((n, r) => n + r.completionTokens, 0),
    reusedPromptTokens: results.reduce((n, r) => n + r.reusedPromptTokens, 0),
  });
}
