import type { Response } from "express";

/**
 * Server-Sent Events as OpenAI streams them (`data: {json}` per event, `data: [DONE]` last). The 200 headers go out
 * with the first event only, so a failure before the first token (full queue, prompt too long) still gets its own
 * status, and the gateway can still fail over.
 */
export class SseStream {
  constructor(private readonly res: Response) {}

  get started(): boolean {
    return this.res.headersSent;
  }

  send(data: unknown): void {
    this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  done(): void {
    this.write("data: [DONE]\n\n");
    if (!this.res.writableEnded) this.res.end();
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
    this.res.write(text);
  }
}
