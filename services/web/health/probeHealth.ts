import { describeError } from "../http/index.js";

/** What one health probe of a core found. */
export type ProbeResult =
  | { ok: true }
  | {
      ok: false;
      /** `refused`: nothing listening (dead); `timeout`: accepted but no answer (frozen); `status`: answered not-ready. */
      kind: "refused" | "timeout" | "status" | "error";
      reason: string;
    };

/** One probe: a function so tests can drive the monitor without a network. */
export type Prober = (baseUrl: string, timeoutMs: number) => Promise<ProbeResult>;

/**
 * GET `<baseUrl>/health` within `timeoutMs` (headers and body). 200 is up; anything else is down, with the reason a
 * core gives (its `reason` or `status` field), so "session store not writable" reaches the gateway's /health.
 */
export const probeHealth: Prober = async (baseUrl, timeoutMs) => {
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status === 200) return { ok: true };
    let why = "";
    try {
      const body = JSON.parse(text) as { reason?: unknown; status?: unknown };
      why = typeof body.reason === "string" ? body.reason : typeof body.status === "string" ? body.status : "";
    } catch {
      // not JSON: the status code says enough
    }
    return { ok: false, kind: "status", reason: `/health answered ${res.status}${why ? ` (${why})` : ""}` };
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError")
      return { ok: false, kind: "timeout", reason: `/health timed out after ${timeoutMs} ms` };
    const text = describeError(error);
    return { ok: false, kind: /ECONNREFUSED/.test(text) ? "refused" : "error", reason: text };
  }
};
