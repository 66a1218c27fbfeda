import type { PromptMessage } from "./PromptMessage.js";

/** How /tokenize turns text into tokens (llama-server's `add_special` and `parse_special`). */
export interface TokenizeOptions {
  /** Insert the model's BOS (and EOS) tokens where its tokenizer adds them. */
  addSpecial: boolean;
  /** Text such as `<|im_start|>` becomes the special token, not its characters. */
  parseSpecial: boolean;
}

/** What the loaded model is, for /props. */
export interface ModelDescription {
  /** The GGUF's own Jinja chat template, or null when it has none. */
  chatTemplate: string | null;
  /** node-llama-cpp's chat wrapper that renders prompts ("ChatML", "Qwen"…). */
  chatWrapper: string;
  trainContextSize: number;
  vocabularySize: number;
  /** "prebuilt" (the binding's own binaries) or "localBuild" (npm run engine:build). */
  engineBuild: string;
}

/** One context sequence (a slot) as /slots shows it. */
export interface SlotDescription {
  id: number;
  /** Held by a request (a generation, or a prompt being evaluated for one). */
  busy: boolean;
  /** Evaluating a session's next-turn prefix while idle (yields to any request). */
  preparing: boolean;
  /** The session whose tokens the slot's KV cache holds (`v1:<id>` for a stateless /v1 request), or null. */
  session: string | null;
  /** Tokens in the slot's KV cache. */
  tokensCached: number;
  /** The start of the cached text, cut short: enough to recognise the conversation, never the whole prompt. */
  promptPrefix: string;
  /** When a request last took or released the slot (ms since the epoch), or null if never. */
  lastUsedAt: number | null;
}

/**
 * The tokenizer, template and slots of the loaded model, as llama-server's ops endpoints show them (/tokenize,
 * /detokenize, /apply-template, /props, /slots). Read-only: never touches a slot's KV cache or waits for a slot.
 */
export interface EngineInspector {
  tokenizeText(text: string, options: TokenizeOptions): number[];
  /** The text of one token, or its bytes when they are not valid UTF-8 on their own (half a character). */
  tokenPiece(token: number): string | number[];
  /** Text of the tokens (special tokens as their text); throws InvalidTokenError for an id outside the vocabulary. */
  detokenize(tokens: readonly number[]): string;
  /** The prompt the messages become with the model's chat template, ready for the model's answer. */
  renderPrompt(messages: readonly PromptMessage[]): string;
  describeModel(): ModelDescription;
  describeSlots(): SlotDescription[];
}
