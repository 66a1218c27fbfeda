import type { HttpProblem } from "../../../shared/http/HttpProblem.js";
import { StoreUnavailableError } from "../errors/unavailableErrors.js";
import { SessionStoreUnavailableError } from "../sessions/SessionStoreUnavailableError.js";

/** The session store's domain error as the 503 problem it is (a fault of ours, never the client's, never a bare 500). */
export function storeProblem(error: unknown): HttpProblem | null {
  if (!(error instanceof SessionStoreUnavailableError)) return null;
  return new StoreUnavailableError(error.store, error.reason, error.retryAfterSeconds);
}
