import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  type FailureReason,
  handleWhen,
} from "cockatiel";
import { describeError, isConnectionError, isRetryableResponse } from "../../../shared/http/failures.js";
import { UpstreamTimeoutError } from "./errors.js";
import type { BreakerStateName, EndpointRole, EndpointSnapshot, ResilienceEvent } from "./events.js";

/** One HTTP request as the caller describes it (a POST unless `method` says otherwise). */
export interface OutgoingRequest {
  method?: "GET" | "POST";
  /** Required for a POST; a GET sends none. */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Aborts the request (and a streamed body) when the caller goes away. */
  signal?: AbortSignal;
}

/** Options for {@link Endpoint}. */
export interface EndpointOptions {
  role: EndpointRole;
  /** Base URL (`http://host:port`); request paths are appended. */
  baseUrl: string;
  /** Time allowed until response headers arrive. */
  timeoutMs: number;
  /** Consecutive failures that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before letting one probe through. */
  halfOpenAfterMs: number;
  onEvent?: (event: ResilienceEvent) => void;
}

const BREAKER_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Isolated]: "isolated",
};

function describeReason(reason: FailureReason<unknown> | { isolated: true }): string {
  if ("isolated" in reason) return "isolated";
  if ("error" in reason) return describeError(reason.error);
  return reason.value instanceof Response ? `HTTP ${reason.value.status}` : "failed result";
}

/**
 * One upstream (primary or fallback): sends single POST attempts with a timeout, owns that endpoint's circuit
 * breaker (cockatiel ConsecutiveBreaker), and keeps the counters `/health` shows.
 */
export class Endpoint {
  /** Counts connection errors and 502/503/504 answers; a timeout or any other answer is not a failure here. */
  readonly breaker: CircuitBreakerPolicy;
  private consecutiveFailures = 0;
  private lastFailure: { at: string; reason: string } | null = null;
  private lastSuccess: string | null = null;

  constructor(readonly options: EndpointOptions) {
    this.breaker = circuitBreaker(handleWhen(isConnectionError).orWhenResult(isRetryableResponse), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    const emit = (state: BreakerStateName, reason?: string) =>
      options.onEvent?.({ type: "breaker", endpoint: options.role, url: options.baseUrl, state, reason });
    this.breaker.onBreak((reason) => emit("open", describeReason(reason)));
    this.breaker.onHalfOpen(() => emit("half_open"));
    this.breaker.onReset(() => emit("closed"));
  }

  get url(): string {
    return this.options.baseUrl;
  }

  get breakerState(): BreakerStateName {
    return BREAKER_NAMES[this.breaker.state];
  }

  /** The last recorded failure, for messages when the breaker skipped this endpoint. */
  get lastFailureReason(): string | null {
    return this.lastFailure?.reason ?? null;
  }

  /**
   * One POST attempt, no retry. Resolves with the Response as soon as headers arrive (the body is left unread so it can
   * be streamed), except for 502/503/504 whose small bodies are read so the connection is freed before a retry.
   * Rejects with {@link UpstreamTimeoutError} when no headers arrive in time, with the `down` signal's reason (an
   * EndpointDownError) when the endpoint is marked down meanwhile, or with fetch's own error otherwise.
   */
  async send(path: string, request: OutgoingRequest, down?: AbortSignal): Promise<Response> {
    const url = `${this.options.baseUrl}${path}`;
    const method = request.method ?? "POST";
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new UpstreamTimeoutError(url, this.options.timeoutMs, method)),
      this.options.timeoutMs,
    );
    // `down` stays linked after the headers: a stream still being read is cut when the endpoint is marked down
    const signals = [request.signal, timeout.signal, down].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length === 1 ? timeout.signal : AbortSignal.any(signals);
    const headers = new Headers(request.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    try {
      const response = await fetch(url, {
        method,
        ...(method === "POST" ? { body: request.body ?? "" } : {}),
        headers,
        signal,
      });
      if (isRetryableResponse(response)) {
        const body = await response.arrayBuffer();
        this.recordFailure(`HTTP ${response.status}`);
        return new Response(body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      }
      this.recordSuccess();
      return response;
    } catch (error) {
      if (down?.aborted && !request.signal?.aborted) {
        this.lastFailure = { at: new Date().toISOString(), reason: String((down.reason as Error).message) };
        throw down.reason;
      }
      if (timeout.signal.aborted && !request.signal?.aborted) {
        const timedOut = timeout.signal.reason as UpstreamTimeoutError;
        this.lastFailure = { at: new Date().toISOString(), reason: timedOut.message };
        throw timedOut;
      }
      if (isConnectionError(error)) this.recordFailure(describeError(error));
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  snapshot(health: EndpointSnapshot["health"] = null): EndpointSnapshot {
    return {
      url: this.options.baseUrl,
      breaker: this.breakerState,
      consecutive_failures: this.consecutiveFailures,
      last_failure: this.lastFailure,
      last_success: this.lastSuccess,
      health,
    };
  }

  private recordFailure(reason: string): void {
    this.consecutiveFailures++;
    this.lastFailure = { at: new Date().toISOString(), reason };
  }

  private recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.lastSuccess = new Date().toISOString();
  }
}
