import type { HistoryMode } from "../history/HistorySelector.js";
import type { GenerationRequest, GenerationResult, InferenceEngine } from "../inference/InferenceEngine.js";
import { ClientClosedError } from "../pipeline/ClientClosedError.js";
import type { TurnObserver } from "../pipeline/TurnOutcome.js";
import { removeHiddenReasoning } from "../text/hiddenReasoning.js";
import { ThinkTagStreamFilter } from "../text/ThinkTagStreamFilter.js";

/** What a route asks of the generation step: an engine request, with the visible text streamed instead of raw text. */
export interface AnswerRequest extends Omit<GenerationRequest, "onTextChunk" | "onReasoningChunk"> {
  /** The answer as it is generated: hidden reasoning removed, its leading white space dropped. */
  onVisibleText?: (text: string) => void;
  /** The reasoning as it is generated: thought segments and the text of hidden-reasoning blocks. */
  onReasoningText?: (text: string) => void;
}

/** The engine's result and the answer cleaned of hidden reasoning. */
export interface GeneratedAnswer extends GenerationResult {
  /** The generated text without hidden reasoning, white space kept: a session stores this, so the next prompt renders
   * the answer as it was generated and its KV cache still matches. */
  visibleText: string;
  /** What the client is shown: `visibleText` trimmed. */
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
}

/**
 * The one generation step of every route that generates (packets, chat completions): infer (stop strings and the time
 * budget are the engine's) → think-tag filtering of the stream → cleanup of the final text → observation. Streaming and
 * not are the same path: `onVisibleText` is optional. Throws {@link ClientClosedError} when the client left mid-way.
 */
export async function generateAnswer(context: AnswerStepContext, request: AnswerRequest): Promise<GeneratedAnswer> {
  const { onVisibleText, onReasoningText, ...generation } = request;
  let reasoning = "";
  const think = (text: string) => {
    reasoning += text;
    onReasoningText?.(text);
  };
  const filter = new ThinkTagStreamFilter(think);
  let leading = true;
  const emit = (text: string) => {
    const visible = leading ? text.trimStart() : text;
    if (!visible) return;
    leading = false;
    onVisibleText?.(visible);
  };
  const result = await context.engine.generate({
    ...generation,
    onTextChunk: (text) => emit(filter.push(text)),
    onReasoningChunk: think,
  });
  context.observer?.turnCompleted({ ...result, replayed: false, historyMode: context.historyMode ?? "full" });
  if (result.stopReason === "cancelled") throw new ClientClosedError();
  emit(filter.end());
  const visibleText = removeHiddenReasoning(result.text);
  return { ...result, visibleText, answer: visibleText.trim(), reasoning: reasoning.trim() };
}
