import type { EndpointSnapshot } from "../http/index.js";

/**
 * The gateway's readiness: some core endpoint can serve a request now. With active health checks that is one whose
 * probe got 200 from core's /health (ready: model loaded, store writable); without them (GAIA_HEALTH_INTERVAL_MS=0)
 * the gateway cannot know, so one whose breaker is not open counts.
 */
export function coreCanServe(endpoints: ReadonlyArray<EndpointSnapshot | null>): boolean {
  return endpoints.some((e) => e !== null && (e.health ? e.health.ready : e.breaker !== "open"));
}
