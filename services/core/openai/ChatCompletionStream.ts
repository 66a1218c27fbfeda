import type { Response } from "express";
import type { AnswerStream } from "../http/settleStreamFailure.js";
import type { GenerationResult } from "../inference/InferenceEngine.js";
import { type CompletionBase, chunkOf, usageOf } from "./chatCompletionResponse.js";
import { SseStream } from "./SseStream.js";

/**
 * A chat completion streamed as OpenAI streams it: a first chunk with the role, content deltas, a last chunk with the
 * finish reason, the usage chunk when `stream_options.include_usage` asked for it, then `[DONE]`.
 */
export class ChatCompletionStream implements AnswerStream {
  private readonly sse: SseStream;
  private opened = false;

  constructor(
    res: Response,
    private readonly base: CompletionBase,
    private readonly includeUsage: boolean,
  ) {
    this.sse = new SseStream(res);
  }

  get started(): boolean {
    return this.sse.started;
  }

  /** A piece of the answer's visible text. */
  content(text: string): void {
    this.send({ content: text });
  }

  /** Any other delta (tool calls, reasoning), after the role chunk. */
  send(delta: Record<string, unknown>): void {
    this.open();
    this.sse.send(chunkOf(this.base, delta, null, this.includeUsage));
  }

  /** The finish reason, the usage when asked for, and the end of the stream. */
  finish(finishReason: string, result: GenerationResult): void {
    this.open();
    this.sse.send(chunkOf(this.base, {}, finishReason, this.includeUsage));
    if (this.includeUsage)
      this.sse.send({ ...this.base, object: "chat.completion.chunk", choices: [], usage: usageOf(result) });
    this.sse.done();
  }

  fail(message: string): void {
    this.sse.fail(message);
  }

  private open(): void {
    if (this.opened) return;
    this.opened = true;
    this.sse.send(chunkOf(this.base, { role: "assistant", content: "" }, null, this.includeUsage));
  }
}
