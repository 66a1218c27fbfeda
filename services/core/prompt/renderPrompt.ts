import type { PromptMessage } from "../inference/InferenceEngine.js";
import type { PromptParts } from "./PromptParts.js";

const RECALL_CHARS = 500;
const clip = (text: string) => (text.length > RECALL_CHARS ? `${text.slice(0, RECALL_CHARS)}…` : text);

/**
 * Orders the parts as chat messages: system, prior turns as user/assistant pairs, then one final user message that
 * carries recalled turns and client context (marked blocks) before the user's text. Everything that changes per
 * request sits in the last message, so the prefix (system + history) matches the previous turn's KV cache.
 */
export function renderPrompt(parts: PromptParts): PromptMessage[] {
  const messages: PromptMessage[] = [{ role: "system", content: parts.system }];
  for (const turn of parts.history) {
    messages.push(
      { role: "user", content: turn.user },
      { role: "assistant", content: turn.assistant, ...(turn.answerTokens ? { tokens: turn.answerTokens } : {}) },
    );
  }
  const blocks: string[] = [];
  if (parts.recalled.length > 0) {
    const lines = parts.recalled.map(({ turn }) => `- User: ${clip(turn.user)}\n  Assistant: ${clip(turn.assistant)}`);
    blocks.push(`[Recalled from earlier in this conversation]\n${lines.join("\n")}\n[End of recalled context]`);
  }
  blocks.push(...parts.contextBlocks);
  messages.push({
    role: "user",
    content: blocks.length > 0 ? `${blocks.join("\n\n")}\n\n${parts.userText}` : parts.userText,
  });
  return messages;
}
