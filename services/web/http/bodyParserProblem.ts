import { bodyReadFailure } from "../../../shared/http/bodyReadFailure.js";
import { HttpProblem } from "../../../shared/http/HttpProblem.js";

/**
 * body-parser's errors are the client's mistakes: bad JSON is 400, an oversized body 413, a body it cannot decode
 * (bad gzip, unknown Content-Encoding or charset) the 4xx body-parser gave it.
 */
export function bodyParserProblem(error: unknown): HttpProblem | null {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === "entity.parse.failed") return new HttpProblem(400, "Bad Request", "The request body is not valid JSON.");
  if (type === "entity.too.large") return new HttpProblem(413, "Content Too Large", "The request body is too large.");
  const failure = bodyReadFailure(error);
  return failure ? new HttpProblem(failure.status, "Unreadable Request Body", failure.reason) : null;
}
