import { setImmediate as afterPendingIo } from "node:timers/promises";

/**
 * Throws the signal's reason if the caller has gone. First lets the event loop finish the I/O events that are ready
 * now: a process thawing after SIGSTOP finds the read it awaited and the peer's closed connection ready at once, in
 * either order, and the disconnect must be seen before deciding to write.
 */
export async function throwIfCallerLeft(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await afterPendingIo();
  signal.throwIfAborted();
}
