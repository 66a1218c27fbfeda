import type { EndpointHealthSnapshot, EndpointRole } from "./events.js";

/**
 * What the resilient client asks of an active health check. An endpoint marked down gets no new requests, and
 * requests in flight to it are aborted through {@link downSignal} so they can be re-sent elsewhere.
 */
export interface EndpointHealth {
  isDown(role: EndpointRole): boolean;
  /** Aborted (reason: {@link EndpointDownError}) when the endpoint is marked down; a fresh signal after it is up. */
  downSignal(role: EndpointRole): AbortSignal;
  /**
   * A request saw `evidence` (connection refused, HTTP 503…): probe now. Resolves true when the probe fails too and
   * the endpoint is therefore down now, false when it still answers its health check (a failure it cannot confirm).
   */
  confirmDown(role: EndpointRole, evidence: string): Promise<boolean>;
  snapshot(role: EndpointRole): EndpointHealthSnapshot | null;
}

/** The endpoint was marked down by its health check while this request was waiting on it. */
export class EndpointDownError extends Error {
  override readonly name = "EndpointDownError";
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url} is down (${reason})`);
  }
}
