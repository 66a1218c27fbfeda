/** How long `waitFor` keeps polling and how often. These bound a poll loop; they assert nothing about speed. */
export interface WaitOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 20 ms. */
  everyMs?: number;
}

/** Thrown when `waitFor` gives up: names what was awaited. */
export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
}

/**
 * The one wait of the tests: polls `probe` until it returns something truthy and returns that; throws
 * WaitTimeoutError naming `what` after `timeoutMs`. The probe runs at least once, and once more at the deadline.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = 10_000, everyMs = 20 }: WaitOptions = {},
): Promise<Exclude<T, false | null | undefined | 0 | "">> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | null | undefined | 0 | "">;
    if (Date.now() >= deadline) throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(0, deadline - Date.now()))));
  }
}
