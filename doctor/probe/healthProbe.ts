import type { ServiceEntry } from "../registry.js";

/** What one GET of a service's health URL found. */
export type HealthProbe =
  | { service: ServiceEntry; reachable: false; timedOut: boolean; error: string; ms: number }
  | { service: ServiceEntry; reachable: true; httpStatus: number; body: unknown; ms: number };

/** GETs the service's health URL once, bounded by `timeoutMs` (connect, headers and body together). */
export async function probeHealth(service: ServiceEntry, timeoutMs: number): Promise<HealthProbe> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(service.healthUrl, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: "application/json" },
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { service, reachable: true, httpStatus: res.status, body, ms: ms() };
  } catch (error) {
    // By name, not instanceof: the DOMException may come from another realm.
    const name = (error as { name?: unknown } | null)?.name;
    const timedOut = name === "TimeoutError" || name === "AbortError";
    return {
      service,
      reachable: false,
      timedOut,
      error: timedOut ? `no answer within ${timeoutMs} ms` : describeFetchError(error),
      ms: ms(),
    };
  }
}

/** Turns undici's "fetch failed" into the cause an operator can act on (connection refused, unknown host…). */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  switch (cause?.code) {
    case "ECONNREFUSED":
      return "connection refused (nothing listening)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name does not resolve";
    case "ECONNRESET":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      return cause?.message ?? (error instanceof Error ? error.message : String(error));
  }
}
