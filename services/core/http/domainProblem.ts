import type { HttpProblem } from "../../../shared/http/HttpProblem.js";
import { PromptTooLongProblem } from "../errors/clientErrors.js";
import { QueueFullProblem } from "../errors/unavailableErrors.js";
import { QueueFullError } from "../inference/QueueFullError.js";
import { PromptTooLongError } from "../prompt/PromptTooLongError.js";

/**
 * The domain's named errors, mapped to what they mean on a packet route: no capacity is a 503 with Retry-After, a
 * prompt that cannot fit is the client's 422. Other transports (an OpenAI-style route) map the same errors their way.
 */
export function domainProblem(error: unknown): HttpProblem | null {
  if (error instanceof QueueFullError) return new QueueFullProblem(error);
  if (error instanceof PromptTooLongError) return new PromptTooLongProblem(error);
  return null;
}
