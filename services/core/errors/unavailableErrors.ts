import { HttpProblem } from "../../../shared/http/HttpProblem.js";

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

/** Every context sequence is busy and the wait queue is full. */
export class QueueFullError extends HttpProblem {
  constructor(capacity: number, retryAfterSeconds: number) {
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

/** The session store cannot be reached or written: a fault of ours, so 503 naming the store and why. */
export class StoreUnavailableProblem extends HttpProblem {
  constructor(store: string, reason: string, retryAfterSeconds: number) {
    super(
      503,
      "Session Store Unavailable",
      `gaia-core cannot use its session store (${store}): ${reason}. Retry after ${retryAfterSeconds} s or use another core.`,
      { store, reason },
      { "Retry-After": String(retryAfterSeconds) },
    );
  }
}
