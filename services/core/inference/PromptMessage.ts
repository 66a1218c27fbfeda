import type { AnswerTokens } from "./AnswerTokens.js";

/** A tool call an earlier answer made, as the conversation carries it (OpenAI's assistant `tool_calls`). */
export interface PromptToolCall {
  id: string;
  name: string;
  /** The arguments, parsed. */
  arguments: unknown;
}

/** A chat message as the pipeline builds it; the engine renders it with the model's own chat template. */
export interface PromptMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** An assistant message's tool calls. */
  toolCalls?: readonly PromptToolCall[];
  /** A tool message: the call whose result `content` is. */
  toolCallId?: string;
  /** An assistant message's text as the model generated it, in tokens (the engine uses them when they are its own). */
  tokens?: AnswerTokens;
}
