import { HttpProblem } from "../../../shared/http/HttpProblem.js";
import type { QueueFullError } from "../inference/QueueFullError.js";

/** The model is still loading (or failed to load); the client should retry later or use the candidate. */
export class NotReadyError extends HttpProblem {
  constructor(state: string, retryAfterSeconds = 5) {
    super(
      503,
      "Service Not Ready",
      `gaia-core is ${state}; try again shortly.`,
      { state },
      { "Retry-After": String(retryAfterSeconds) },
    );
  }
}

/** A {@link QueueFullError} on the wire: 503 with Retry-After, so the client retries or goes to the other core. */
export class QueueFullProblem extends HttpProblem {
  constructor({ capacity, retryAfterSeconds }: QueueFullError) {
    super(
      503,
      "Queue Full",
      `All inference slots are busy and ${capacity} packet${capacity === 1 ? " is" : "s are"} already waiting; retry after ${retryAfterSeconds} s.`,
      { queue_capacity: capacity },
      { "Retry-After": String(retryAfterSeconds) },
    );
  }
}

/** The server is draining for shutdown and takes no new packets. */
export class ShuttingDownError extends HttpProblem {
  constructor() {
    super(
      503,
      "Shutting Down",
      "gaia-core is shutting down; send the packet to the other core.",
      {},
      { "Retry-After": "1" },
    );
  }
}

/** The session store cannot take the turn (full or read-only disk, lost permissions, I/O error, unreachable Redis). */
export class SessionStoreUnavailableProblem extends HttpProblem {
  constructor(store: string, reason: string, retryAfterSeconds: number) {
    super(
      503,
      "Session Store Unavailable",
      `gaia-core cannot store the session (${store}): ${reason}. Nothing was stored; retry after ${retryAfterSeconds} s or send the packet to the other core.`,
      { store, reason },
      { "Retry-After": String(retryAfterSeconds) },
    );
  }
}
