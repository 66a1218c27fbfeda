import type { HistoryMode } from "../history/HistorySelector.js";
import type {
  CompletionRequest,
  GenerationRequest,
  GenerationResult,
  InferenceEngine,
} from "../inference/InferenceEngine.js";
import { ClientClosedError } from "../pipeline/ClientClosedError.js";
import type { TurnObserver } from "../pipeline/TurnOutcome.js";
import { removeHiddenReasoning } from "../text/hiddenReasoning.js";
import { ThinkTagStreamFilter } from "../text/ThinkTagStreamFilter.js";

/** The request to the engine: chat messages (rendered with the chat template), or a raw `prompt` (a text completion). */
type EngineRequest =
  | Omit<GenerationRequest, "onTextChunk" | "onReasoningChunk">
  | Omit<CompletionRequest, "onTextChunk">;

/** What a route asks of the generation step: an engine request, with the visible text streamed instead of raw text. */
export type AnswerRequest = EngineRequest & {
  /** The answer as it is generated: hidden reasoning removed, its leading white space dropped (unless `rawText`). */
  onVisibleText?: (text: string) => void;
  /** The reasoning as it is generated: thought segments and the text of hidden-reasoning blocks. */
  onReasoningText?: (text: string) => void;
};

/** The engine's result and the answer cleaned of hidden reasoning. */
export interface GeneratedAnswer extends GenerationResult {
  /** The generated text without hidden reasoning, white space kept: a session stores this, so the next prompt renders
   * the answer as it was generated and its KV cache still matches. */
  visibleText: string;
  /** What the client is shown: `visibleText` trimmed (with `rawText`, the engine's text as it is). */
  answer: string;
  /** The model's reasoning (thoughts), trimmed; "" when it wrote none. Never part of `answer`. */
  reasoning: string;
}

export interface AnswerStepContext {
  engine: InferenceEngine;
  /** Told about every generation, cancelled ones included (metrics). */
  observer?: TurnObserver | undefined;
  /** How the prompt's history was chosen, for the metrics' label; stateless APIs send the whole history ("full"). */
  historyMode?: HistoryMode;
  /**
   * The text exactly as the model wrote it: no think-tag filtering, nothing trimmed (a raw text completion returns
   * what the model wrote; its leading white space is part of the continuation).
   */
  rawText?: boolean;
}

/** Chat messages go to the engine's generate(), a raw prompt to its complete() (which parses no thoughts). */
function infer(
  engine: InferenceEngine,
  request: EngineRequest,
  onTextChunk: (text: string) => void,
  onReasoningChunk: (text: string) => void,
): Promise<GenerationResult> {
  return "prompt" in request
    ? engine.complete({ ...request, onTextChunk })
    : engine.generate({ ...request, onTextChunk, onReasoningChunk });
}

/**
 * The one generation step of every route that generates (packets, chat and text completions): infer (stop strings and
 * the time budget are the engine's) → think-tag filtering of the stream → cleanup of the final text → observation.
 * Streaming and not are the same path: `onVisibleText` is optional. Throws {@link ClientClosedError} when the client
 * left mid-way.
 */
export async function generateAnswer(context: AnswerStepContext, request: AnswerRequest): Promise<GeneratedAnswer> {
  const { onVisibleText, onReasoningText, ...generation } = request;
  const raw = context.rawText === true;
  let reasoning = "";
  const think = (text: string) => {
    reasoning += text;
    onReasoningText?.(text);
  };
  const filter = raw ? null : new ThinkTagStreamFilter(think);
  let leading = !raw;
  const emit = (text: string) => {
    const visible = leading ? text.trimStart() : text;
    if (!visible) return;
    leading = false;
    onVisibleText?.(visible);
  };
  const result = await infer(context.engine, generation, (text) => emit(filter ? filter.push(text) : text), think);
  context.observer?.turnCompleted({ ...result, replayed: false, historyMode: context.historyMode ?? "full" });
  if (result.stopReason === "cancelled") throw new ClientClosedError();
  if (filter) emit(filter.end());
  if (raw) return { ...result, visibleText: result.text, answer: result.text, reasoning: "" };
  const visibleText = removeHiddenReasoning(result.text);
  return { ...result, visibleText, answer: visibleText.trim(), reasoning: reasoning.trim() };
}
