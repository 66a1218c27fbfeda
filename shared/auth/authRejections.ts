import type { Request, Response } from "express";
import { HttpProblem } from "../http/HttpProblem.js";
import { sendProblem } from "../http/problemResponse.js";
import { OpenAIError, sendOpenAIError } from "../openai/OpenAIError.js";
import { type AuthFailure, authFailureMessage } from "./requireApiKey.js";

/** A request without a valid API key. */
export class UnauthorizedError extends HttpProblem {
  constructor(failure: AuthFailure) {
    super(401, "Unauthorized", authFailureMessage(failure), {}, { "WWW-Authenticate": 'Bearer realm="gaia"' });
  }
}

/** 401 in the shape of the route family: OpenAI's error body under /v1, problem+json elsewhere. */
export function rejectUnauthorized(req: Request, res: Response, failure: AuthFailure): void {
  // express routes paths case-insensitively, so /V1/models is the same route and gets the same shape
  const path = req.path.toLowerCase();
  if (path === "/v1" || path.startsWith("/v1/")) {
    sendOpenAIError(
      res,
      new OpenAIError(
        401,
        authFailureMessage(failure),
        "invalid_request_error",
        null,
        failure === "missing" ? "missing_api_key" : "invalid_api_key",
        { "WWW-Authenticate": 'Bearer realm="gaia"' },
      ),
    );
    return;
  }
  sendProblem(res, new UnauthorizedError(failure), req.originalUrl);
}
