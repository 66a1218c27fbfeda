import type { Logger } from "../../shared/logging/logger.js";
import type { HealthChange } from "./health/HealthMonitor.js";
import type { ResilienceEvent } from "./http/index.js";

/** One line per change of a core endpoint's health-check state. */
export function logHealthChange(logger: Logger, change: HealthChange): void {
  const line = {
    event: "core_health",
    endpoint: change.endpoint,
    url: change.url,
    state: change.state,
    why: change.why,
  };
  if (change.state === "down") logger.warn(line, `core ${change.endpoint} marked down: ${change.why}`);
  else logger.info(line, `core ${change.endpoint} up again`);
}

/** One structured log line per resilience event: retries and failovers carry the request's packet_id. */
export function logResilienceEvent(logger: Logger, event: ResilienceEvent): void {
  switch (event.type) {
    case "retry":
      logger.warn(
        {
          event: "core_retry",
          endpoint: event.endpoint,
          url: event.url,
          attempt: event.attempt,
          delay_ms: event.delayMs,
          reason: event.reason,
          ...event.context,
        },
        `core ${event.endpoint} failed (${event.reason}); retry ${event.attempt + 1} in ${event.delayMs} ms`,
      );
      return;
    case "failover": {
      const line = {
        event: "core_failover",
        from: event.from,
        to: event.to,
        reason: event.reason,
        primary_error: event.primaryError,
        ...event.context,
      };
      // while the breaker is open every request takes this path: expected, so not a warning each time
      if (event.reason === "breaker_open") logger.info(line, "core primary skipped (breaker open); trying HA fallback");
      else if (event.reason === "marked_down")
        logger.info(line, "core primary marked down by its health check; sent to the HA fallback");
      else if (event.reason === "confirmed_down")
        logger.warn(line, "core primary failed and its health probe failed too: down now; sent to the HA fallback");
      else if (event.reason === "probe_failed")
        logger.info(line, "core primary still down (half-open probe failed); trying HA fallback");
      else logger.warn(line, "core primary exhausted its attempts; trying HA fallback");
      return;
    }
    case "breaker": {
      const line = {
        event: "core_breaker",
        endpoint: event.endpoint,
        url: event.url,
        state: event.state,
        ...(event.reason ? { reason: event.reason } : {}),
      };
      if (event.state === "open") logger.warn(line, `core ${event.endpoint} circuit opened`);
      else logger.info(line, `core ${event.endpoint} circuit ${event.state === "closed" ? "closed" : "half-open"}`);
      return;
    }
  }
}
