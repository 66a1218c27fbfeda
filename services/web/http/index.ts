export {
  describeError,
  isConnectionError,
  isRetryableResponse,
  RETRYABLE_STATUSES,
  retryAfterMs,
} from "../../../shared/http/failures.js";
export { EndpointDownError, type EndpointHealth } from "./EndpointHealth.js";
export { describeFailure, type EndpointFailure, UpstreamTimeoutError, UpstreamUnavailableError } from "./errors.js";
export type {
  BreakerStateName,
  ClientSnapshot,
  EndpointHealthSnapshot,
  EndpointRole,
  EndpointSnapshot,
  FailoverReason,
  RequestContext,
  ResilienceEvent,
} from "./events.js";
export {
  ResilientClient,
  type ResilientClientOptions,
  type ResilientRequest,
  type ServedResponse,
} from "./ResilientClient.js";
export type { JitterMode } from "./RetryAfterBackoff.js";
