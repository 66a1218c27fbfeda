import type { RequestHandler } from "express";
import type { CoreState } from "../CoreState.js";
import { NotReadyError, ShuttingDownError } from "../errors/unavailableErrors.js";

/**
 * The one readiness gate in front of every route that needs the model: 503 with Retry-After while the model loads,
 * after it failed to load, and while the core drains for shutdown. It runs before the body is read, so a core that
 * cannot answer says so at once and the gateway sends the request to the other core.
 */
export function requireReady(state: CoreState): RequestHandler {
  return (_req, _res, next) => {
    if (state.status === "draining") return next(new ShuttingDownError());
    if (state.status !== "ready" || !state.parts)
      return next(new NotReadyError(state.status === "failed" ? "failed to load its model" : "loading its model"));
    next();
  };
}

/** The parts of a ready core; only called behind {@link requireReady}. */
export function readyParts(state: CoreState): NonNullable<CoreState["parts"]> {
  if (!state.parts) throw new NotReadyError("loading its model");
  return state.parts;
}
