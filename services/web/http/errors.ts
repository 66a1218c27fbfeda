import { describeError } from "../../../shared/http/failures.js";

/** Why one endpoint could not serve a request. */
export type EndpointFailure =
  | { kind: "connection"; error: Error }
  | { kind: "status"; status: number; body: string; contentType: string | null }
  | { kind: "timeout"; error: UpstreamTimeoutError }
  | { kind: "breaker_open"; lastReason: string | null }
  | { kind: "down"; reason: string };

/** One line for logs: `connection refused`, `HTTP 503`, `breaker open`. */
export function describeFailure(failure: EndpointFailure): string {
  switch (failure.kind) {
    case "connection":
      return describeError(failure.error);
    case "status":
      return `HTTP ${failure.status}`;
    case "timeout":
      return failure.error.message;
    case "breaker_open":
      return `circuit open${failure.lastReason ? ` (last failure: ${failure.lastReason})` : ""}`;
    case "down":
      return `marked down by its health check (${failure.reason})`;
  }
}

/** The endpoint accepted the request but sent no response headers within the timeout. Never retried, never failed over. */
export class UpstreamTimeoutError extends Error {
  override readonly name = "UpstreamTimeoutError";
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
    readonly method: string = "POST",
  ) {
    super(`${method} ${url} timed out after ${timeoutMs} ms`);
  }
}

/**
 * Neither the primary (after its retries, or skipped by its open breaker) nor the fallback could serve.
 * The message names the PRIMARY and its failure, as the original re-raised the primary's exception;
 * the fallback's failure is kept alongside for logs.
 */
export class UpstreamUnavailableError extends Error {
  override readonly name = "UpstreamUnavailableError";
  constructor(
    readonly url: string,
    readonly primary: EndpointFailure,
    readonly fallback: { url: string; failure: EndpointFailure } | null,
    /** The request's method, so a failed `GET /v1/models` is not reported as a POST. */
    readonly method: string = "POST",
  ) {
    super(
      `${method} ${url} failed: ${describeFailure(primary)}` +
        (fallback ? `; fallback ${fallback.url} also failed: ${describeFailure(fallback.failure)}` : ""),
      { cause: primary.kind === "connection" ? primary.error : undefined },
    );
  }
}
