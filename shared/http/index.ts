export { ResilientClient, type ResilientClientOptions, type ResilientRequest, type ServedResponse } from "./ResilientClient.js";
export { UpstreamTimeoutError, UpstreamUnavailableError, describeFailure, type EndpointFailure } from "./errors.js";
export { isConnectionError, isRetryableResponse, retryAfterMs, describeError, RETRYABLE_STATUSES } from "./failures.js";
export type { JitterMode } from "./RetryAfterBackoff.js";
export type {
  ClientSnapshot,
  EndpointRole,
  EndpointSnapshot,
  BreakerStateName,
  RequestContext,
  ResilienceEvent,
} from "./events.js";
