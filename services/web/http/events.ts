/** Which configured endpoint a request went to. */
export type EndpointRole = "primary" | "fallback";

/** Why a request went to the fallback (see the `failover` event). */
export type FailoverReason = "exhausted" | "breaker_open" | "probe_failed" | "marked_down" | "confirmed_down";

/** A circuit breaker's state as reported in events and `/health`. */
export type BreakerStateName = "closed" | "open" | "half_open" | "isolated";

/** Caller-supplied fields copied onto every event of one request (e.g. `{ packet_id }`). */
export type RequestContext = Readonly<Record<string, unknown>>;

/** What the resilient client reports; the gateway turns each event into one structured log line. */
export type ResilienceEvent =
  | {
      type: "retry";
      endpoint: EndpointRole;
      url: string;
      /** The attempt that just failed (1-based). */
      attempt: number;
      delayMs: number;
      reason: string;
      context: RequestContext;
    }
  | {
      type: "failover";
      from: string;
      to: string;
      /**
       * `exhausted`: the primary's retries ran out; `breaker_open`: its breaker is (or just became) open, so it was
       * skipped or its retries were cut short; `probe_failed`: the half-open probe failed and the breaker re-opened;
       * `marked_down`: the health check says the primary is down (skipped, or the request waiting on it was re-sent);
       * `confirmed_down`: the request failed and an immediate health probe failed too (down now, no backoff).
       */
      reason: FailoverReason;
      primaryError: string;
      context: RequestContext;
    }
  | {
      type: "breaker";
      endpoint: EndpointRole;
      url: string;
      state: BreakerStateName;
      /** For `open`: the failure that tripped it. */
      reason?: string;
    };

/** Whether an endpoint answers its health check, as a monitor last saw it. */
export interface EndpointHealthSnapshot {
  state: "up" | "down";
  /** ISO time of the last change of state (or of the start). */
  since: string;
  /** Why it is in that state: the failed probe ("timed out after 1000 ms", "connection refused") or "answers". */
  why: string;
  /**
   * Up and confirmed by a probe that got 200 from its /health since it came up: a core that is up only because it was
   * not probed yet, or still loading its model, is not ready (the gateway's readiness needs one that is).
   */
  ready: boolean;
}

/** Per-endpoint health, shown by the gateway's `/health`. */
export interface EndpointSnapshot {
  url: string;
  breaker: BreakerStateName;
  /** Failures (connection errors, 502/503/504) since the last answer. */
  consecutive_failures: number;
  last_failure: { at: string; reason: string } | null;
  last_success: string | null;
  /** The active health check's view (up/down, since, why), when the client has one. */
  health: EndpointHealthSnapshot | null;
}

/** The whole client's state: both endpoints and whether failover is currently switched off. */
export interface ClientSnapshot {
  primary: EndpointSnapshot;
  fallback: EndpointSnapshot | null;
  maintenance: boolean;
  /** Requests sent to the fallback since start, by reason. */
  failovers: Partial<Record<FailoverReason, number>>;
}
