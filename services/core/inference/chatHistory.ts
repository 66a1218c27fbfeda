import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from "node-llama-cpp";
import type { PromptMessage } from "./InferenceEngine.js";

/** A tool result as node-llama-cpp renders it: parsed JSON when it is JSON (rendered back compactly), else the text. */
function resultValue(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

/**
 * Converts pipeline messages to node-llama-cpp's chat history, which the chat wrapper renders in the model's own
 * template. An assistant message's tool calls and the tool messages that answer them become one model response (calls
 * with their results), and an assistant message after tool results continues that response, as the templates render
 * a tool loop. The history ends with the model turn to generate: a new, empty one, or, when the conversation ends with
 * tool results, the model response those results belong to (the model continues after them).
 */
export function toChatHistory(messages: readonly PromptMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const openCalls = new Map<string, ChatModelFunctionCall>();
  let continuing: ChatModelResponse | null = null;
  for (const m of messages) {
    if (m.role === "system") history.push({ type: "system", text: m.content });
    else if (m.role === "user") history.push({ type: "user", text: m.content });
    else if (m.role === "tool") {
      const call = m.toolCallId === undefined ? undefined : openCalls.get(m.toolCallId);
      if (call) call.result = resultValue(m.content);
    } else {
      const calls = (m.toolCalls ?? []).map(
        (c, i): ChatModelFunctionCall => ({
          type: "functionCall",
          name: c.name,
          params: c.arguments,
          result: undefined,
          startsNewChunk: i === 0,
        }),
      );
      for (const [i, c] of (m.toolCalls ?? []).entries()) if (calls[i]) openCalls.set(c.id, calls[i]);
      const parts = [...(m.content ? [m.content] : []), ...calls];
      const last = history.at(-1);
      if (continuing && last === continuing) continuing.response.push(...parts);
      else history.push({ type: "model", response: parts });
    }
    const last = history.at(-1);
    continuing = m.role === "tool" && last?.type === "model" ? last : null;
  }
  if (!continuing) history.push({ type: "model", response: [] });
  return history;
}
