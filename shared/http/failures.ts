/**
 * What counts as "the endpoint is down" (retry, count against the breaker, fail over) versus "the endpoint answered"
 * (return to the caller) versus "the endpoint is slow" (surface as a timeout, never fail over: slow is not down).
 */

/** Statuses that mean "this instance cannot serve right now": retried, then failed over (the original's 5xx bug fixed). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Socket-level codes meaning the request never reached a live server or the server died before answering.
 * The httpx equivalents the original retried were ConnectError and RemoteProtocolError; DNS failures belong here too
 * (Docker drops a stopped container's name), as does a connect timeout (the host is unreachable, not busy).
 */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
]);

const CONNECTION_MESSAGES = [/socket hang up/i, /other side closed/i];

interface ErrorLike {
  message: string;
  code?: unknown;
  cause?: unknown;
}

/** Duck-typed, not `instanceof Error`: undici's errors may come from another realm (jest's vm sandbox, for one). */
function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string";
}

/** True when `error` is undici's `fetch failed` (or a raw socket error) caused by one of the connection failures above. */
export function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; isErrorLike(current) && depth < 5; depth++) {
    const { code, message } = current;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    if (CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current = current.cause;
  }
  return false;
}

/** True for a Response whose status says "retry elsewhere" (502/503/504). */
export function isRetryableResponse(value: unknown): value is Response {
  return value instanceof Response && RETRYABLE_STATUSES.has(value.status);
}

/** A 503's `Retry-After` (seconds or HTTP date) in milliseconds, or null when absent or unparsable. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | null {
  const raw = headers.get("retry-after")?.trim();
  if (!raw) return null;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** A short one-line description of a failure for logs and error messages (`ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:6415`). */
export function describeError(error: unknown): string {
  if (!isErrorLike(error)) return String(error);
  const cause = error.cause;
  if (error.message === "fetch failed" && isErrorLike(cause)) {
    const code = cause.code;
    return typeof code === "string" && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
