import type { LlamaText } from "node-llama-cpp";
import type { GenerationRequest, StopReason } from "./InferenceEngine.js";
import { StopSequenceFilter } from "./StopSequenceFilter.js";

/**
 * Everything that can end one generation early: the client leaving (`signal`), the time budget, and the client's stop
 * strings. Stop strings are node-llama-cpp's own (token-aware) triggers, except with a chat wrapper that parses thoughts,
 * where a {@link StopSequenceFilter} matches them against the answer only. Says which one ended the generation.
 */
export class GenerationStops {
  private readonly budget = new AbortController();
  private readonly stopped = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private readonly answerStops: StopSequenceFilter | null;
  private readonly signal: AbortSignal;

  constructor(
    private readonly request: Pick<GenerationRequest, "stop" | "timeBudgetMs" | "signal">,
    thoughtSegments: boolean,
  ) {
    this.timer = request.timeBudgetMs
      ? setTimeout(() => this.budget.abort(new Error("time budget")), request.timeBudgetMs)
      : undefined;
    this.answerStops = request.stop?.length && thoughtSegments ? new StopSequenceFilter(request.stop) : null;
    this.signal = AbortSignal.any([
      this.budget.signal,
      this.stopped.signal,
      ...(request.signal ? [request.signal] : []),
    ]);
  }

  /**
   * The stop and abort options of node-llama-cpp's generateResponse; `onText` gets the text the client may see.
   * `triggers` are stop triggers of the service's own (where the model opens a tool call, where the template ends the
   * model's turn); `clientStops: false` leaves
   * the client's stop strings out (text written under a grammar, such as a tool call's arguments).
   */
  generationOptions(
    onText: (text: string) => void,
    triggers: readonly (string | LlamaText)[] = [],
    { clientStops = true } = {},
  ) {
    const stops = clientStops ? this.answerStops : null;
    const own = clientStops && this.request.stop?.length && !stops ? this.request.stop : [];
    const customStopTriggers = [...own, ...triggers];
    return {
      ...(customStopTriggers.length ? { customStopTriggers } : {}),
      signal: this.signal,
      stopOnAbortSignal: true,
      onTextChunk: (text: string) => {
        if (!stops) return onText(text);
        const visible = stops.push(text);
        if (visible) onText(visible);
        if (stops.stopped) this.stopped.abort(new Error("stop sequence"));
      },
    };
  }

  /**
   * The generation's result, or null when one of our aborts ended it before the first token: node-llama-cpp then
   * throws the abort reason instead of returning, and that is no failure.
   */
  async unlessOwnAbort<T>(generation: Promise<T>): Promise<T | null> {
    try {
      return await generation;
    } catch (error) {
      if (this.signal.aborted && error === this.signal.reason) return null;
      throw error;
    }
  }

  /** Text the stop-string filter still held back, once generation ended. */
  end(): string {
    return this.answerStops && !this.answerStops.stopped ? this.answerStops.end() : "";
  }

  /** The answer: the engine's text, or what came before a stop string; "" when an abort came before any text. */
  answerText(engineText: string | null): string {
    if (this.answerStops?.stopped || engineText === null) return this.answerStops?.text ?? "";
    return engineText;
  }

  /** Why generation ended: the engine's reason, unless it was aborted (or never returned) because one of ours fired. */
  reason(engineReason: StopReason | null): StopReason {
    if (engineReason !== null && engineReason !== "cancelled") return engineReason;
    if (this.request.signal?.aborted) return "cancelled";
    if (this.stopped.signal.aborted) return "stop_sequence";
    if (this.budget.signal.aborted) return "time_budget";
    return "cancelled";
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
