import type { PromptMessage } from "../inference/InferenceEngine.js";
import type { SessionTurn } from "../sessions/SessionStore.js";

/** The turn's meta key holding the tokens it adds to a prompt, written once when the turn is stored. */
export const TURN_TOKENS_META_KEY = "tokens";

type CountTokens = (messages: readonly PromptMessage[]) => number;

/** An empty user message: what follows a replayed turn, so its assistant message renders closed, as in a prompt. */
const NEXT_USER: PromptMessage = { role: "user", content: "" };

/**
 * Tokens a turn adds to a rendered prompt: its user and assistant messages in the model's chat template. Chat
 * templates render each message between special tokens, so a prompt's count is the sum of its messages' counts
 * (fitToBudget still checks the fitted prompt with one real count).
 */
export function countTurnTokens(countTokens: CountTokens, turn: Pick<SessionTurn, "user" | "assistant">): number {
  const pair: PromptMessage[] = [
    { role: "user", content: turn.user },
    { role: "assistant", content: turn.assistant },
    NEXT_USER,
  ];
  return Math.max(0, countTokens(pair) - countTokens([NEXT_USER]));
}

/** The count stored with the turn, or null for a turn stored before counts were (or by another tool). */
export function storedTurnTokens(turn: SessionTurn): number | null {
  const value = turn.meta?.[TURN_TOKENS_META_KEY];
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : null;
}

/** The turn with its token count in its meta, ready to be stored. */
export function withTurnTokens(turn: SessionTurn, tokens: number): SessionTurn {
  return { ...turn, meta: { ...turn.meta, [TURN_TOKENS_META_KEY]: tokens } };
}
