import type { ChatCompletionRequest } from "./chatCompletionRequest.js";

/** Thought tokens per `reasoning_effort`; `high` sets no budget of ours (node-llama-cpp's default applies). */
const THOUGHT_BUDGETS = { none: 0, minimal: 128, low: 512, medium: 2048 } as const;

/** The thought-token budget a request asks for, or undefined when it leaves the model free. */
export function thoughtBudgetOf(request: ChatCompletionRequest): number | undefined {
  if (request.chat_template_kwargs?.enable_thinking === false) return 0;
  const effort = request.reasoning_effort;
  return effort && effort !== "high" ? THOUGHT_BUDGETS[effort] : undefined;
}

/** Whether the answer carries the reasoning as `reasoning_content`: the request's `reasoning_format`, else the server's. */
export function returnsReasoning(request: ChatCompletionRequest, serverDefault: "none" | "deepseek"): boolean {
  return (request.reasoning_format ?? serverDefault) === "deepseek";
}
