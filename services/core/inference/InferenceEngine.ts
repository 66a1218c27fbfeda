import type { AnswerTokens } from "./AnswerTokens.js";
import type { EngineInspector } from "./EngineInspector.js";
import type { PromptMessage, PromptToolCall } from "./PromptMessage.js";
import type { ParsedToolCall, ToolCallEvent } from "./tools/ToolCallParser.js";

export type { PromptMessage, PromptToolCall };

/** A tool the model may call: its name, what it does, and its arguments' JSON Schema (an object schema). */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/** Whether the model must call a tool: as it sees fit, at least one, or this one. */
export type ToolChoice = "auto" | "required" | { name: string };

/** The tools a request offers the model. */
export interface ToolUse {
  tools: readonly ToolDefinition[];
  choice: ToolChoice;
  /** Several calls in one answer. */
  parallel: boolean;
}

/** Why generation ended. */
export type StopReason = "eos" | "max_tokens" | "stop_sequence" | "time_budget" | "cancelled" | "tool_calls";

/** Output the model is constrained to (grammar-enforced): any JSON object, or JSON matching a schema. */
export type ResponseFormat = { type: "json_object" } | { type: "json_schema"; schema: Record<string, unknown> };

export interface GenerationRequest {
  /** Session the prompt belongs to: the engine keeps its KV cache warm for the next turn. */
  sessionKey: string;
  /**
   * How the slot is chosen: `session` (default) prefers the slot that last served `sessionKey`; `longest_prefix`
   * (stateless clients that resend the whole conversation) prefers the slot whose KV cache holds the longest prefix
   * of this prompt.
   */
  slotChoice?: "session" | "longest_prefix";
  messages: PromptMessage[];
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  /** OpenAI-style penalties on tokens already in the recent context. */
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseFormat?: ResponseFormat;
  /** Extra stop strings (`header.model.stop`). */
  stop?: readonly string[];
  /** Generation stops after this long and the answer is marked as cut. */
  timeBudgetMs?: number;
  /** Aborted when the client goes away: generation stops and the result is `cancelled`. */
  signal?: AbortSignal;
  /** Raw model text as it is produced (think tags not yet removed). */
  onTextChunk?: (text: string) => void;
  /** Most tokens a thought (reasoning segment) may take; 0 closes a thought as soon as it opens. Unset: no limit of ours. */
  thoughtBudget?: number;
  /** Reasoning text as the model writes it (thought segments of chat wrappers that parse them). */
  onReasoningChunk?: (text: string) => void;
  /** Tools the model may call; every call names one of them and its arguments match its schema (grammar-enforced). */
  tools?: ToolUse;
  /** A tool call begins, or more of its arguments were written (streaming). */
  onToolCallEvent?: (event: ToolCallEvent) => void;
}

export interface GenerationResult {
  text: string;
  /** The tool calls the answer made (stopReason "tool_calls"); absent or empty otherwise. */
  toolCalls?: ParsedToolCall[];
  stopReason: StopReason;
  /** Tokens of the whole rendered prompt. */
  promptTokens: number;
  /** Prompt tokens already in the KV cache from the session's previous turn (not evaluated again). */
  reusedPromptTokens: number;
  completionTokens: number;
  queuedMs: number;
  timeToFirstTokenMs: number | null;
  generationMs: number;
  /** The answer as the tokens the model generated, when `text` is exactly their text (what a session keeps). */
  answerTokens?: AnswerTokens;
}

/** Occupancy of the engine's slots and wait queue. */
export interface EngineLoad {
  active: number;
  waiting: number;
  capacity: number;
  slots: number;
}

/** What the pipeline needs from a model: token counting with the real template, and generation. */
export interface InferenceEngine {
  /** Tokens one sequence can hold (prompt + answer). */
  readonly contextSize: number;
  /** Model name from its metadata, if any. */
  readonly modelName: string | null;
  /** Tokens the messages take once rendered with the model's chat template (with the generation prompt). */
  countTokens(messages: readonly PromptMessage[]): number;
  generate(request: GenerationRequest): Promise<GenerationResult>;
  /** Tokens the raw prompt takes as the sequence will hold it (the infill layout with `suffix`). */
  countPromptTokens(prompt: RawPrompt): number;
  /** Generates what follows a raw prompt (or fills its gap): no chat template, no think-tag parsing. */
  complete(request: CompletionRequest): Promise<GenerationResult>;
  /**
   * Optional, fire-and-forget: the session's conversation so far (ending with the answer just given). An engine with a
   * KV cache evaluates its exact prompt prefix now, while the user reads the answer, so the next turn only evaluates
   * the new message. Never throws; never delays other requests.
   */
  prepareNextTurn?(sessionKey: string, conversation: readonly PromptMessage[]): void;
  load(): EngineLoad;
  /**
   * Optional: the tokenizer, template and slots for the ops endpoints (/tokenize, /props, /slots…). An engine without
   * a real tokenizer (the benchmark's stub) has none, and those endpoints answer 503 naming that.
   */
  readonly inspector?: EngineInspector;
  /** Frees what the engine holds; safe to call more than once. */
  dispose(): Promise<void>;
}

/** Raw text for the model to continue: no chat template. With `suffix`, the gap between the two (fill-in-the-middle). */
export interface RawPrompt {
  /** Special-token text in it (`<|im_start|>`, FIM tokens…) is read as those tokens, as llama-server does. */
  prompt: string;
  /** Text after the gap; only for a model whose tokenizer has infill tokens (else InfillNotSupportedError). */
  suffix?: string;
}

/**
 * A raw-text completion: the same slots, sampler, stops and budget as a chat request, on a prompt instead of messages
 * (picked field by field, so what only chat has, such as tools, formats and thoughts, stays out).
 */
export interface CompletionRequest
  extends Pick<
      GenerationRequest,
      | "sessionKey"
      | "slotChoice"
      | "maxTokens"
      | "temperature"
      | "topP"
      | "seed"
      | "presencePenalty"
      | "frequencyPenalty"
      | "stop"
      | "timeBudgetMs"
      | "signal"
      | "onTextChunk"
    >,
    RawPrompt {}
