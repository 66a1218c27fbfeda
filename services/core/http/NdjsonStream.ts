import type { Response } from "express";
import { StreamedBodyWriter } from "./StreamedBodyWriter.js";
import type { AnswerStream } from "./settleStreamFailure.js";

/** One line of the NDJSON answer (as GAIA's later core streams it). */
export type NdjsonEvent =
  | { type: "token"; value: string }
  | { type: "flush" }
  | { type: "packet"; value: unknown }
  | { type: "error"; value: string };

/**
 * Writes NDJSON events, sending the 200 headers only with the first event: anything that fails before the first
 * token (validation, budget, full queue) can still be answered with its proper status as problem+json.
 */
export class NdjsonStream implements AnswerStream {
  private readonly body: StreamedBodyWriter;

  constructor(private readonly res: Response) {
    this.body = new StreamedBodyWriter(res);
  }

  get started(): boolean {
    return this.res.headersSent;
  }

  write(event: NdjsonEvent): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (!this.res.headersSent) {
      this.res.status(200).type("application/x-ndjson").set("Cache-Control", "no-store").set("X-Accel-Buffering", "no");
      this.res.flushHeaders();
    }
    this.body.write(`${JSON.stringify(event)}\n`);
  }

  end(): void {
    this.body.end();
  }

  /** An error after the 200 went out: the last line says what went wrong. */
  fail(message: string): void {
    this.write({ type: "error", value: message });
    this.end();
  }
}
