import type { HttpProblem } from "../../../shared/http/HttpProblem.js";
import { PromptTooLongProblem } from "../errors/clientErrors.js";
import { QueueFullProblem, SessionStoreUnavailableProblem } from "../errors/unavailableErrors.js";
import { QueueFullError } from "../inference/QueueFullError.js";
import { PromptTooLongError } from "../prompt/PromptTooLongError.js";
import { SessionStoreUnavailableError } from "../sessions/SessionStoreUnavailableError.js";

/**
 * The domain's named errors, mapped to what they mean on a packet route: no capacity is a 503 with Retry-After, a
 * prompt that cannot fit is the client's 422, a session store that cannot take the turn (full or read-only disk, lost
 * permissions, I/O error) is a 503 naming the store and the cause, never a bare 500. Other transports (an OpenAI-style route) map the same errors their way.
 */
export function domainProblem(error: unknown): HttpProblem | null {
  if (error instanceof QueueFullError) return new QueueFullProblem(error);
  if (error instanceof PromptTooLongError) return new PromptTooLongProblem(error);
  if (error instanceof SessionStoreUnavailableError)
    return new SessionStoreUnavailableProblem(error.store, error.reason, error.retryAfterSeconds);
  return null;
}
