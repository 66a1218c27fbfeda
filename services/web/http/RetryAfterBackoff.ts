import {
  ExponentialBackoff,
  fullJitterGenerator,
  halfJitterGenerator,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  noJitterGenerator,
} from "cockatiel";
import { retryAfterMs } from "../../../shared/http/failures.js";

/** Jitter applied to the exponential delays; `none` reproduces the original's exact 2 s, 4 s. */
export type JitterMode = "none" | "full" | "half";

/** Options for {@link RetryAfterBackoff}. */
export interface RetryAfterBackoffOptions {
  /** First delay; attempt n waits `baseDelayMs * 2**(n-1)`. */
  baseDelayMs: number;
  /** Upper bound on any single delay. Defaults to 30 s. */
  maxDelayMs?: number;
  /** Defaults to `none`. */
  jitter?: JitterMode;
  /** When true the delay is 0: the breaker has opened, so the next attempt will fail fast and fail over. */
  skip?: () => boolean;
}

type RetryContext = IRetryBackoffContext<unknown>;

/**
 * cockatiel's ExponentialBackoff, with two adjustments: a 503's `Retry-After` is honoured only as a hint that can
 * shorten the wait (never lengthen it beyond the backoff), and the wait collapses to 0 once the breaker is open.
 */
export class RetryAfterBackoff implements IBackoffFactory<RetryContext> {
  private readonly exponential: IBackoffFactory<unknown>;

  constructor(private readonly options: RetryAfterBackoffOptions) {
    const generator =
      options.jitter === "full"
        ? fullJitterGenerator
        : options.jitter === "half"
          ? halfJitterGenerator
          : noJitterGenerator;
    this.exponential = new ExponentialBackoff({
      generator,
      initialDelay: options.baseDelayMs,
      maxDelay: options.maxDelayMs ?? 30_000,
      exponent: 2,
    });
  }

  next(context: RetryContext): IBackoff<RetryContext> {
    return this.step(this.exponential.next(context), context);
  }

  private step(inner: IBackoff<unknown>, context: RetryContext): IBackoff<RetryContext> {
    return {
      duration: this.delayFor(inner.duration, context),
      next: (nextContext: RetryContext) => this.step(inner.next(nextContext), nextContext),
    };
  }

  private delayFor(backoffMs: number, context: RetryContext): number {
    if (this.options.skip?.()) return 0;
    const result = context.result;
    if ("value" in result && result.value instanceof Response) {
      const hint = retryAfterMs(result.value.headers);
      if (hint !== null) return Math.min(hint, backoffMs);
    }
    return backoffMs;
  }
}
