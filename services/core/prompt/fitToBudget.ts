import type { PromptMessage } from "../inference/InferenceEngine.js";
import type { SessionTurn } from "../sessions/SessionStore.js";
import type { PromptParts } from "./PromptParts.js";
import { PromptTooLongError } from "./PromptTooLongError.js";
import { renderPrompt } from "./renderPrompt.js";
import { countTurnTokens, storedTurnTokens } from "./turnTokens.js";

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
 * the packet is rejected with PromptTooLongError).
 *
 * The cost is O(turns that fit), not O(session): the history is walked from the newest turn back, adding each turn's
 * stored token count (counted now only for a turn stored without one), and stops at the budget; the fitted prompt is
 * then checked with one real count. Where the window of kept turns starts is rounded to a step, so it stays put for
 * several turns as the session grows: the prompt's prefix (system + kept history) then matches the previous turn's
 * KV cache instead of shifting by a turn on every packet.
 */
export function fitToBudget(parts: PromptParts, options: BudgetOptions): FittedPrompt {
  const available = options.contextSize - options.maxTokens;
  const withoutHistory: PromptParts = { ...parts, history: [] };
  const baseTokens = parts.history.length > 0 ? options.countTokens(renderPrompt(withoutHistory)) : 0;
  const start = parts.history.length > 0 ? windowStart(parts.history, available - baseTokens, options) : 0;
  const candidate: PromptParts = start === 0 ? parts : { ...parts, history: parts.history.slice(start) };
  const messages = renderPrompt(candidate);
  const promptTokens = options.countTokens(messages);
  if (promptTokens <= available)
    return { messages, parts: candidate, promptTokens, droppedHistory: start, droppedRecalled: 0 };
  // the counts were off (a turn counted by another model) or nothing else fits: shrink by real counts
  return shrinkToFit(candidate, promptTokens, start, available, options);
}

/**
 * Index of the oldest turn to keep: the newest turns whose counts fit `room`, the start then rounded up to a multiple of
 * a power-of-two step of at most half the turns that fit, so consecutive packets of a growing session share it (as
 * llama.cpp's context shift drops half the context at once rather than a token at a time). Powers of two nest, so a
 * window whose size changes a little keeps its boundaries.
 */
function windowStart(history: readonly SessionTurn[], room: number, options: BudgetOptions): number {
  let used = 0;
  let first = history.length;
  while (first > 0) {
    const tokens = storedTurnTokens(history[first - 1]!) ?? countTurnTokens(options.countTokens, history[first - 1]!);
    if (used + tokens > room) break;
    used += tokens;
    first -= 1;
  }
  if (first === 0) return 0;
  const fitting = history.length - first;
  let step = 1;
  while (step * 2 <= fitting / 2) step *= 2;
  return Math.min(history.length, Math.ceil(first / step) * step);
}

/** The budget loop on real counts, from a prompt that is over budget: history, then recalled turns, then blocks. */
function shrinkToFit(
  parts: PromptParts,
  tokens: number,
  alreadyDropped: number,
  available: number,
  options: BudgetOptions,
): FittedPrompt {
  let current = parts;
  let promptTokens = tokens;
  let droppedHistory = alreadyDropped;
  let droppedRecalled = 0;
  for (;;) {
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
    const messages = renderPrompt(current);
    promptTokens = options.countTokens(messages);
    if (promptTokens <= available) return { messages, parts: current, promptTokens, droppedHistory, droppedRecalled };
  }
}
