import type { Response } from "express";

/**
 * An AbortSignal that fires when the client disconnects before the answer is complete, so the work done for it
 * (generation, the call to core) stops. `reason` makes the signal's reason, for callers that branch on it.
 */
export function abortOnClose(res: Response, reason?: () => unknown): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort(reason?.());
  });
  return controller.signal;
}
