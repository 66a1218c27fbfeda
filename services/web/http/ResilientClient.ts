import { CircuitState, handleWhen, type IPolicy, isBrokenCircuitError, retry, wrap } from "cockatiel";
import { describeError, isConnectionError, isRetryableResponse } from "../../../shared/http/failures.js";
import { isMaintenanceOn } from "../../../shared/maintenance/MaintenanceFlag.js";
import { Endpoint, type OutgoingRequest } from "./Endpoint.js";
import { EndpointDownError, type EndpointHealth } from "./EndpointHealth.js";
import { describeFailure, type EndpointFailure, UpstreamTimeoutError, UpstreamUnavailableError } from "./errors.js";
import type { ClientSnapshot, EndpointRole, FailoverReason, RequestContext, ResilienceEvent } from "./events.js";
import { type JitterMode, RetryAfterBackoff } from "./RetryAfterBackoff.js";

/** Options for {@link ResilientClient}; every delay, threshold and timeout is configurable (tests use milliseconds). */
export interface ResilientClientOptions {
  /** Base URL of the primary (`http://127.0.0.1:6415`). */
  primaryUrl: string;
  /** Base URL of the fallback; unset means no failover. */
  fallbackUrl?: string | null;
  /** Failover is off while this file exists. Unset means never in maintenance. */
  maintenanceFlagPath?: string | null;
  /** Attempts on the primary, first one included. Default 3. */
  maxAttempts?: number;
  /** Backoff before retry n is `baseDelayMs * 2**(n-1)`. Default 2000 (2 s, then 4 s). */
  baseDelayMs?: number;
  /** Cap on a single backoff delay. Default 30000. */
  maxDelayMs?: number;
  /** Default `none`, as the original. */
  jitter?: JitterMode;
  /** Time allowed until response headers arrive; a timeout is never retried nor failed over. Default 300000. */
  timeoutMs?: number;
  /** Consecutive failures that open an endpoint's breaker. Default 3. */
  breakerThreshold?: number;
  /** How long an open breaker waits before one probe. Default 5000. */
  halfOpenAfterMs?: number;
  /** Observability hook: retries, failovers and breaker transitions. */
  onEvent?: (event: ResilienceEvent) => void;
  /**
   * An active health check of both endpoints. With it, a primary marked down gets no new requests (straight to the
   * fallback), requests waiting on it are re-sent to the fallback, and a failed request is confirmed by an immediate
   * probe: if that fails too the primary is down now, with no backoff. Failures the probe cannot confirm keep the
   * retry/backoff semantics.
   */
  health?: EndpointHealth | null;
}

/** One POST through the client. */
export interface ResilientRequest extends OutgoingRequest {
  /** Copied onto every event this request causes (e.g. `{ packet_id }`). */
  context?: RequestContext;
}

/** The upstream's Response (body unread) and which endpoint produced it. */
export interface ServedResponse {
  response: Response;
  servedBy: EndpointRole;
  url: string;
}

/**
 * POST with the original gateway's semantics plus a circuit breaker per endpoint, composed from cockatiel
 * policies: retry(primary breaker(attempt)) on the primary, then one breaker-guarded try on the fallback.
 *
 * - Connection errors and 502/503/504 are retried with exponential backoff, then fail over (unless maintenance).
 * - A timeout is returned to the caller at once: no retry, no failover (slow is not down).
 * - Any other answer (2xx, 4xx, 500) is returned as is.
 * - Once the primary's breaker is open, requests go straight to the fallback; after `halfOpenAfterMs` one request
 *   probes the primary (others keep using the fallback meanwhile) and a success closes the breaker.
 * - When failover is impossible (no fallback, or maintenance), the primary's breaker is bypassed: there is nowhere
 *   else to go, so the primary is tried with its full retries, as the original did.
 * - When everything fails, {@link UpstreamUnavailableError} names the primary and its failure.
 */
export class ResilientClient {
  private readonly primary: Endpoint;
  private readonly fallback: Endpoint | null;
  private readonly settings: Required<
    Omit<ResilientClientOptions, "fallbackUrl" | "maintenanceFlagPath" | "onEvent" | "health">
  >;
  private readonly failovers: Partial<Record<FailoverReason, number>> = {};

  constructor(private readonly options: ResilientClientOptions) {
    this.settings = {
      primaryUrl: trimSlash(options.primaryUrl),
      maxAttempts: options.maxAttempts ?? 3,
      baseDelayMs: options.baseDelayMs ?? 2000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      jitter: options.jitter ?? "none",
      timeoutMs: options.timeoutMs ?? 300_000,
      breakerThreshold: options.breakerThreshold ?? 3,
      halfOpenAfterMs: options.halfOpenAfterMs ?? 5000,
    };
    if (this.settings.maxAttempts < 1) throw new RangeError("maxAttempts must be at least 1");
    const endpoint = (role: EndpointRole, baseUrl: string) =>
      new Endpoint({
        role,
        baseUrl: trimSlash(baseUrl),
        timeoutMs: this.settings.timeoutMs,
        breakerThreshold: this.settings.breakerThreshold,
        halfOpenAfterMs: this.settings.halfOpenAfterMs,
        onEvent: options.onEvent,
      });
    this.primary = endpoint("primary", options.primaryUrl);
    this.fallback = options.fallbackUrl ? endpoint("fallback", options.fallbackUrl) : null;
  }

  /** True while the maintenance flag exists (read fresh each call). */
  maintenance(): boolean {
    return isMaintenanceOn(this.options.maintenanceFlagPath);
  }

  /** Per-endpoint breaker and health-check state, counters and failovers by reason, for `/health`. */
  state(): ClientSnapshot {
    const health = this.options.health;
    return {
      primary: this.primary.snapshot(health?.snapshot("primary") ?? null),
      fallback: this.fallback?.snapshot(health?.snapshot("fallback") ?? null) ?? null,
      maintenance: this.maintenance(),
      failovers: { ...this.failovers },
    };
  }

  /**
   * POSTs `request` to `path` on the primary, failing over as described on the class. Resolves with the first usable
   * Response (body unread, so NDJSON can be piped); failover can only happen before response headers arrive.
   * Rejects with {@link UpstreamTimeoutError}, {@link UpstreamUnavailableError}, or the caller's abort.
   */
  async post(path: string, request: ResilientRequest): Promise<ServedResponse> {
    const fallback = this.fallback && !this.maintenance() ? this.fallback : null;
    const primaryUrl = `${this.primary.url}${path}`;
    const method = request.method ?? "POST";

    if (!fallback) {
      let response: Response;
      try {
        response = await this.retryPolicy(request, false).execute(
          () => this.primary.send(path, request),
          request.signal,
        );
      } catch (error) {
        if (isConnectionError(error) && !request.signal?.aborted) {
          throw new UpstreamUnavailableError(primaryUrl, { kind: "connection", error: error as Error }, null, method);
        }
        throw error;
      }
      if (isRetryableResponse(response))
        throw new UpstreamUnavailableError(primaryUrl, await statusFailure(response), null, method);
      return { response, servedBy: "primary", url: primaryUrl };
    }

    const health = this.options.health;
    const outcome: PrimaryOutcome =
      health?.isDown("primary") && !health.isDown("fallback")
        ? {
            failure: { kind: "down", reason: health.snapshot("primary")?.why ?? "health check failed" },
            reason: "marked_down",
          }
        : await this.tryPrimary(path, request);
    if ("served" in outcome) return outcome.served;
    const primaryFailure = outcome.failure;

    const fallbackUrl = `${fallback.url}${path}`;
    this.failovers[outcome.reason] = (this.failovers[outcome.reason] ?? 0) + 1;
    this.options.onEvent?.({
      type: "failover",
      from: primaryUrl,
      to: fallbackUrl,
      reason: outcome.reason,
      primaryError: describeFailure(primaryFailure),
      context: request.context ?? {},
    });
    let fallbackFailure: EndpointFailure;
    try {
      const response = await fallback.breaker.execute(() => fallback.send(path, request), request.signal);
      if (!isRetryableResponse(response)) return { response, servedBy: "fallback", url: fallbackUrl };
      fallbackFailure = await statusFailure(response);
    } catch (error) {
      if (request.signal?.aborted) throw error;
      fallbackFailure = toFailure(error, fallback);
    }
    throw new UpstreamUnavailableError(
      primaryUrl,
      primaryFailure,
      { url: fallbackUrl, failure: fallbackFailure },
      method,
    );
  }

  /**
   * The primary's part when failover is possible: retries behind the breaker while it is closed, a single probe when
   * its open window has passed, nothing while a probe is already in flight. Returns the served response, or why the
   * primary could not serve (a timeout or a caller abort is thrown, never failed over).
   */
  private async tryPrimary(path: string, request: ResilientRequest): Promise<PrimaryOutcome> {
    const primary = this.primary;
    const skipped = (): PrimaryOutcome => ({
      failure: { kind: "breaker_open", lastReason: primary.lastFailureReason },
      reason: "breaker_open",
    });
    if (primary.breaker.state === CircuitState.HalfOpen) return skipped();
    // not closed: this request is the half-open probe (or is refused at once while the window runs)
    const probing = primary.breaker.state !== CircuitState.Closed;
    const failedReason: FailoverReason = probing ? "probe_failed" : "exhausted";
    let lastFailure: EndpointFailure | null = null;
    const health = this.options.health;
    // while the primary is up, a request waiting on it is aborted (and failed over) the moment it is marked down
    const down = health && !health.isDown("primary") ? health.downSignal("primary") : undefined;
    let confirmed = false;
    /** A failure is evidence: probe now, and if the probe fails too the primary is down (stop retrying). */
    const confirm = async (evidence: string) => {
      if (!health || !(await health.confirmDown("primary", evidence))) return;
      confirmed = true;
      throw new EndpointDownError(primary.url, evidence);
    };
    const attempt = async () => {
      try {
        const response = await primary.send(path, request, down);
        if (isRetryableResponse(response)) {
          lastFailure = await statusFailure(response.clone());
          await confirm(`HTTP ${response.status}`);
        }
        return response;
      } catch (error) {
        if (isConnectionError(error)) {
          lastFailure = { kind: "connection", error: error as Error };
          await confirm(describeError(error));
        }
        throw error;
      }
    };
    const policy: IPolicy = probing ? primary.breaker : wrap(this.retryPolicy(request, true), primary.breaker);
    const signal = down ? AbortSignal.any(request.signal ? [request.signal, down] : [down]) : request.signal;
    try {
      const response = await policy.execute(attempt, signal);
      if (!isRetryableResponse(response))
        return { served: { response, servedBy: "primary", url: `${primary.url}${path}` } };
      return { failure: lastFailure ?? (await statusFailure(response)), reason: failedReason };
    } catch (error) {
      if (request.signal?.aborted) throw error;
      // marked down while waiting (or a failure confirmed by a probe): re-send to the fallback now, no backoff
      if (confirmed || down?.aborted || error instanceof EndpointDownError) {
        const why = down?.aborted ? (down.reason as Error).message : describeError(error);
        return {
          failure: lastFailure ?? { kind: "down", reason: why },
          reason: confirmed ? "confirmed_down" : "marked_down",
        };
      }
      // the breaker opened (before this request, or during its retries): stop waiting and fail over now
      if (isBrokenCircuitError(error))
        return lastFailure ? { failure: lastFailure, reason: "breaker_open" } : skipped();
      if (isConnectionError(error))
        return { failure: { kind: "connection", error: error as Error }, reason: failedReason };
      throw error;
    }
  }

  /** A fresh retry policy per request, so its retry events carry that request's context. */
  private retryPolicy(request: ResilientRequest, breakerGuarded: boolean) {
    const policy = retry(handleWhen(isConnectionError).orWhenResult(isRetryableResponse), {
      // cockatiel counts retries after the first call
      maxAttempts: this.settings.maxAttempts - 1,
      backoff: new RetryAfterBackoff({
        baseDelayMs: this.settings.baseDelayMs,
        maxDelayMs: this.settings.maxDelayMs,
        jitter: this.settings.jitter,
        skip: breakerGuarded ? () => this.primary.breaker.state !== CircuitState.Closed : undefined,
      }),
    });
    policy.onRetry((event) => {
      // a zero wait behind an opened breaker is not a real retry: the next call fails fast and fails over
      if (breakerGuarded && this.primary.breaker.state !== CircuitState.Closed) return;
      this.options.onEvent?.({
        type: "retry",
        endpoint: "primary",
        url: this.primary.url,
        attempt: event.attempt,
        delayMs: event.delay,
        reason:
          "error" in event
            ? describeError(event.error)
            : isRetryableResponse(event.value)
              ? `HTTP ${event.value.status}`
              : "failed",
        context: request.context ?? {},
      });
    });
    return policy;
  }
}

/** How the primary's part of a request ended: served, or failed with the reason the fallback is tried. */
type PrimaryOutcome = { served: ServedResponse } | { failure: EndpointFailure; reason: FailoverReason };

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

async function statusFailure(response: Response): Promise<EndpointFailure> {
  return {
    kind: "status",
    status: response.status,
    body: await response.text().catch(() => ""),
    contentType: response.headers.get("content-type"),
  };
}

function toFailure(error: unknown, endpoint: Endpoint): EndpointFailure {
  if (error instanceof UpstreamTimeoutError) return { kind: "timeout", error };
  if (isBrokenCircuitError(error)) return { kind: "breaker_open", lastReason: endpoint.lastFailureReason };
  return { kind: "connection", error: error as Error };
}
