import type {
  CompletionRequest,
  EngineLoad,
  GenerationRequest,
  GenerationResult,
  InferenceEngine,
  PromptMessage,
  RawPrompt,
} from "../services/core/inference/InferenceEngine.js";

/** The fixed answer of the stub engine. */
const STUB_ANSWER = "This is the stub engine's fixed answer.";

/**
 * An InferenceEngine that answers at once with a fixed text: the real app around it (HTTP, validation, sessions,
 * history, prompt budget, packet completion, hashes, logging, metrics) is what the overhead benchmark measures.
 */
export class StubEngine implements InferenceEngine {
  readonly contextSize = 4096;
  readonly modelName = "stub";
  readonly loadMs = 0;
  private active = 0;

  /** Roughly 4 characters per token, over the message texts. */
  countTokens(messages: readonly PromptMessage[]): number {
    return messages.reduce((sum, m) => sum + 4 + Math.ceil(m.content.length / 4), 2);
  }

  countPromptTokens({ prompt, suffix }: RawPrompt): number {
    return Math.ceil((prompt.length + (suffix?.length ?? 0)) / 4) + 1;
  }

  generate(request: GenerationRequest): Promise<GenerationResult> {
    return this.answer(request, this.countTokens(request.messages));
  }

  complete(request: CompletionRequest): Promise<GenerationResult> {
    return this.answer(request, this.countPromptTokens(request));
  }

  private async answer(
    request: Pick<GenerationRequest, "onTextChunk">,
    promptTokens: number,
  ): Promise<GenerationResult> {
    this.active += 1;
    try {
      request.onTextChunk?.(STUB_ANSWER);
      return {
        text: STUB_ANSWER,
        stopReason: "eos",
        promptTokens,
        reusedPromptTokens: 0,
        completionTokens: 8,
        queuedMs: 0,
        timeToFirstTokenMs: 0,
        generationMs: 0,
      };
    } finally {
      this.active -= 1;
    }
  }

  load(): EngineLoad {
    return { active: this.active, waiting: 0, capacity: 16, slots: 1 };
  }

  async dispose(): Promise<void> {}
}
