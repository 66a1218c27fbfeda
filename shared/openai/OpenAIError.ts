import type { Response } from "express";
import { HttpProblem } from "../http/HttpProblem.js";

/** OpenAI's error `type` values that SDKs and clients look at. */
export type OpenAIErrorType = "invalid_request_error" | "authentication_error" | "not_found_error" | "server_error";

/**
 * An error on the OpenAI-compatible routes, answered as `{"error":{"message","type","param","code"}}` with OpenAI's
 * status codes, so the official SDKs raise their own classes (BadRequestError, AuthenticationError…) and retry 503s.
 */
export class OpenAIError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAIErrorType,
    /** The request field at fault (`messages[0].content`, `n`), or null. */
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "OpenAIError";
  }

  toJSON() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** The OpenAI error type for a status code. */
export function openAIErrorType(status: number): OpenAIErrorType {
  if (status === 401 || status === 403) return "authentication_error";
  if (status === 404) return "not_found_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** Snake-case code from a problem's type (`Queue Full` → `queue_full`). */
function codeOf(problem: HttpProblem): string | null {
  if (problem.name === "HttpProblem") return null;
  return problem.name
    .replace(/(Error|Problem)$/, "")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/**
 * Re-shapes a problem (the packet routes' error form) for /v1: same status and headers (Retry-After), OpenAI's body.
 * A 422 becomes 400, the status OpenAI uses for every invalid request.
 */
export function openAIErrorFromProblem(problem: HttpProblem, param: string | null = null): OpenAIError {
  const status = problem.status === 422 ? 400 : problem.status;
  return new OpenAIError(status, problem.detail, openAIErrorType(status), param, codeOf(problem), problem.headers);
}

/** Sends an OpenAIError (or a problem, re-shaped) as JSON. */
export function sendOpenAIError(res: Response, error: OpenAIError | HttpProblem): void {
  const e = error instanceof HttpProblem ? openAIErrorFromProblem(error) : error;
  res.status(e.status).set(e.headers).json(e.toJSON());
}
