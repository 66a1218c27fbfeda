import type { Response } from "express";
import { StreamedBodyWriter } from "../http/StreamedBodyWriter.js";
import type { AnswerStream } from "../http/settleStreamFailure.js";

/**
 * Server-Sent Events as OpenAI streams them (`data: {json}` per event, `data: [DONE]` last). The 200 headers go out
 * with the first event only, so a failure before the first token (full queue, prompt too long) still gets its own
 * status, and the gateway can still fail over.
 */
export class SseStream implements AnswerStream {
  private readonly body: StreamedBodyWriter;

  constructor(private readonly res: Response) {
    this.body = new StreamedBodyWriter(res);
  }

  get started(): boolean {
    return this.res.headersSent;
  }

  send(data: unknown): void {
    this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  done(): void {
    this.write("data: [DONE]\n\n");
    this.body.end();
  }

  /** An error after the 200 went out, in OpenAI's error shape, then the end of the stream. */
  fail(message: string): void {
    this.send({ error: { message, type: "server_error", param: null, code: null } });
    this.done();
  }

  private write(text: string): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (!this.res.headersSent) {
      this.res
        .status(200)
        .type("text/event-stream")
        .set({ "Cache-Control": "no-cache", Connection: "keep-alive", "X-Accel-Buffering": "no" });
      this.res.flushHeaders();
    }
    this.body.write(text);
  }
}
