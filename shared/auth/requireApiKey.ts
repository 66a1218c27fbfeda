import type { IncomingHttpHeaders } from "node:http";
import type { Request, RequestHandler, Response } from "express";
import type { ApiKeys } from "./ApiKeys.js";

/** Why a request was refused: it carried no key, or one that is not configured. */
export type AuthFailure = "missing" | "invalid";

/** The key a request presents: `Authorization: Bearer <key>` (as OpenAI clients send it), else `X-Api-Key`. */
export function presentedKey(headers: IncomingHttpHeaders): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")?.[1];
  if (bearer) return bearer;
  const header = headers["x-api-key"];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  return value ? value : null;
}

export interface RequireApiKeyOptions {
  /** Null: no keys configured, every request passes. */
  keys: ApiKeys | null;
  /** Routes open without a key (always /health, so probes and orchestrators need no secret). */
  isPublic: (req: Request) => boolean;
  /** Answers a refused request in the route family's own error shape (problem+json, OpenAI's…). */
  reject: (req: Request, res: Response, failure: AuthFailure) => void;
}

/**
 * Express middleware: every non-public request needs one of the keys. The key itself is never logged or echoed.
 * A refused request is answered at once and its connection closed without reading the body: a client without a key
 * cannot hold a socket by trickling one.
 */
export function requireApiKey({ keys, isPublic, reject }: RequireApiKeyOptions): RequestHandler {
  return (req, res, next) => {
    if (!keys || isPublic(req)) return next();
    const key = presentedKey(req.headers);
    const failure = key === null ? "missing" : keys.accepts(key) ? null : "invalid";
    if (failure === null) return next();
    res.set("Connection", "close");
    // Node drains an unread body after the answer to reuse the socket; once the answer is out, drop it instead
    res.on("finish", () => req.socket.destroySoon());
    reject(req, res, failure);
  };
}

/** /health and anything under it: probes and orchestrators never need a secret. */
export function isHealthPath(path: string): boolean {
  return path === "/health" || path.startsWith("/health/");
}

/** The message a refused client gets, the same on both services. */
export function authFailureMessage(failure: AuthFailure): string {
  return failure === "missing"
    ? "An API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'."
    : "The API key is not valid.";
}
