import { HttpProblem } from "../../shared/http/HttpProblem.js";
import { describeFailure, UpstreamTimeoutError, UpstreamUnavailableError } from "./http/index.js";

/**
 * How a failed call to core reaches the gateway's client (as the original did, but "all cores down" is 503, not 500):
 * a timeout is 504 "GAIA Core did not respond in time."; no core reachable is 503; anything else is 502.
 */
export function problemForCoreFailure(error: unknown): HttpProblem {
  if (error instanceof UpstreamTimeoutError) {
    return new HttpProblem(504, "Gateway Timeout", "GAIA Core did not respond in time.", { core: error.url });
  }
  if (error instanceof UpstreamUnavailableError) {
    return new HttpProblem(
      503,
      "GAIA Core Unavailable",
      error.message,
      {
        core: error.url,
        primary_error: describeFailure(error.primary),
        fallback_error: error.fallback ? describeFailure(error.fallback.failure) : null,
      },
      { "Retry-After": "5" },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HttpProblem(502, "Bad Gateway", `GAIA Core connection failed: ${message}`);
}
