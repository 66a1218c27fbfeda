import { ClientClosedError } from "../pipeline/ClientClosedError.js";

/** A streamed answer (NDJSON or SSE) whose 200 may already be on the wire. */
export interface AnswerStream {
  /** True once the status and the first event were sent. */
  readonly started: boolean;
  /** Sends the error as the stream's last event and ends it. */
  fail(message: string): void;
}

/**
 * What a route does with an error out of the generation step: nothing when the client left (nobody to answer); the
 * error as the last event of a stream already under way (its 200 is sent); otherwise rethrown, so the error middleware
 * answers with the proper status and the gateway can still fail over.
 */
export function settleStreamFailure(error: unknown, cancelled: AbortSignal, stream: AnswerStream | null): void {
  if (error instanceof ClientClosedError || cancelled.aborted) return;
  if (!stream?.started) throw error;
  stream.fail(error instanceof Error ? error.message : String(error));
}
