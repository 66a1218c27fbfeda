/** Every context sequence is busy and the wait queue is full: a temporary lack of capacity, not the client's fault. */
export class QueueFullError extends Error {
  override readonly name = "QueueFullError";

  constructor(
    /** How many requests may wait for a sequence. */
    readonly capacity: number,
    /** Roughly how long until a slot frees up (one queue's worth of turns). */
    readonly retryAfterSeconds: number,
  ) {
    super(`all inference slots are busy and ${capacity} request(s) are already waiting`);
  }
}
