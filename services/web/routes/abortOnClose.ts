import type { Response } from "express";

/** An AbortSignal that fires when the client disconnects before the answer is complete (cancels the call to core). */
export function abortOnClose(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
