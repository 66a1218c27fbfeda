import type { Response } from "express";
import type { AnswerStream } from "../http/settleStreamFailure.js";
import type { CompletionBase } from "./chatCompletionResponse.js";
import { SseStream } from "./SseStream.js";
import type { TextCompletionUsage } from "./textCompletionResponse.js";

/**
 * A text completion streamed as OpenAI streams one: `text_completion` chunks with `choices[].text` (`index` says which
 * prompt), a chunk with each choice's finish reason, the usage chunk (`choices: []`) when
 * `stream_options.include_usage` asked for it, then `[DONE]`.
 */
export class TextCompletionStream implements AnswerStream {
  private readonly sse: SseStream;

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

  /** A piece of choice `index`'s text. */
  text(index: number, text: string): void {
    this.chunk(index, text, null);
  }

  /** Choice `index` is complete. */
  finishChoice(index: number, finishReason: string): void {
    this.chunk(index, "", finishReason);
  }

  /** The usage when asked for, and the end of the stream. */
  finish(usage: TextCompletionUsage): void {
    if (this.includeUsage) this.sse.send({ ...this.base, object: "text_completion", choices: [], usage });
    this.sse.done();
  }

  fail(message: string): void {
    this.sse.fail(message);
  }

  private chunk(index: number, text: string, finishReason: string | null): void {
    this.sse.send({
      ...this.base,
      object: "text_completion",
      choices: [{ text, index, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    });
  }
}
