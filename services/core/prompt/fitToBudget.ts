import type { PromptMessage } from "../inference/InferenceEngine.js";
import type { PromptParts } from "./PromptParts.js";
import { PromptTooLongError } from "./PromptTooLongError.js";
import { renderPrompt } from "./renderPrompt.js";

export interface BudgetOptions {
  /** Tokens one sequence holds. */
  contextSize: number;
  /** Tokens reserved for the answer. */
  maxTokens: number;
  /** Counts the rendered prompt's tokens with the model's own tokenizer and template. */
  countTokens: (messages: readonly PromptMessage[]) => number;
}

export interface FittedPrompt {
  messages: PromptMessage[];
  parts: PromptParts;
  promptTokens: number;
  /** Verbatim history turns and recalled turns dropped to fit. */
  droppedHistory: number;
  droppedRecalled: number;
}

/**
 * Makes the prompt fit `contextSize - maxTokens`: drops the oldest verbatim turns first, then the least similar
 * recalled turns, then client context blocks; never the system message or the user's text (if those alone do not fit,
 * the packet is rejected with PromptTooLongError). Every decision is checked with the real token count.
 */
export function fitToBudget(parts: PromptParts, options: BudgetOptions): FittedPrompt {
  const available = options.contextSize - options.maxTokens;
  let current = parts;
  let droppedHistory = 0;
  let droppedRecalled = 0;
  for (;;) {
    const messages = renderPrompt(current);
    const promptTokens = options.countTokens(messages);
    if (promptTokens <= available) return { messages, parts: current, promptTokens, droppedHistory, droppedRecalled };
    if (current.history.length > 0) {
      // drop several turns at once when far over budget, estimating by the average turn size
      const perTurn = Math.max(
        1,
        (promptTokens - options.countTokens(renderPrompt({ ...current, history: [] }))) / current.history.length,
      );
      const drop = Math.min(current.history.length, Math.max(1, Math.floor((promptTokens - available) / perTurn)));
      current = { ...current, history: current.history.slice(drop) };
      droppedHistory += drop;
    } else if (current.recalled.length > 0) {
      const weakest = current.recalled.reduce((min, r, i, all) => (r.similarity < all[min]!.similarity ? i : min), 0);
      current = { ...current, recalled: current.recalled.filter((_, i) => i !== weakest) };
      droppedRecalled += 1;
    } else if (current.contextBlocks.length > 0) {
      current = { ...current, contextBlocks: current.contextBlocks.slice(0, -1) };
    } else {
      throw new PromptTooLongError(promptTokens, available, options.contextSize, options.maxTokens);
    }
  }
}
