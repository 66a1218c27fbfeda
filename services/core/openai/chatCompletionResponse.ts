import type { GenerationResult, StopReason } from "../inference/InferenceEngine.js";

/** The fields every chat completion object and chunk of one request carry. */
export interface CompletionBase {
  id: string;
  created: number;
  model: string;
  system_fingerprint: string;
}

const FINISH_REASONS: Record<StopReason, "stop" | "length" | "tool_calls"> = {
  eos: "stop",
  tool_calls: "tool_calls",
  stop_sequence: "stop",
  max_tokens: "length",
  time_budget: "length",
  cancelled: "stop",
};

/** OpenAI's finish_reason for why generation ended. */
export function finishReasonOf(reason: StopReason): "stop" | "length" | "tool_calls" {
  return FINISH_REASONS[reason];
}

/** OpenAI's usage object; cached tokens are the prompt's prefix the slot's KV cache already held. */
export function usageOf(result: Pick<GenerationResult, "promptTokens" | "completionTokens" | "reusedPromptTokens">) {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
    prompt_tokens_details: { cached_tokens: result.reusedPromptTokens },
  };
}

/** One `chat.completion.chunk` of a stream. */
export function chunkOf(
  base: CompletionBase,
  delta: Record<string, unknown>,
  finishReason: string | null,
  includeUsage: boolean,
) {
  return {
    ...base,
    object: "chat.completion.chunk",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}
