/**
 * The session store cannot take or serve records right now: a full or read-only disk, lost permissions, an I/O error,
 * an unreachable Redis. A fault of the service, never of the client: the HTTP edge answers 503 with Retry-After,
 * naming the store and the cause, and /health reports the store as not ready until it recovers.
 */
export class SessionStoreUnavailableError extends Error {
  override readonly name = "SessionStoreUnavailableError";

  constructor(
    /** Which store failed, as an operator would name it ("file store /shared/sessions", "redis 10.0.0.5:6379"). */
    readonly store: string,
    /** The cause in a few words, e.g. "ENOSPC: no space left on device". */
    readonly reason: string,
    /** What the client should wait before retrying (or going to the other core). */
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(`session store unavailable (${store}): ${reason}`, options);
  }
}
