import express, { type Router } from "express";
import { abortOnClose } from "../../../shared/http/abortOnClose.js";
import { OpenAIError, openAIErrorFromProblem, sendOpenAIError } from "../../../shared/openai/OpenAIError.js";
import { openAIAffinity } from "../affinity/openAIAffinity.js";
import type { CoreClient } from "../CoreClient.js";
import { problemForCoreFailure } from "../coreFailure.js";
import { relayResponse } from "../http/relayResponse.js";
import { servedByRole } from "./coreRole.js";
import { matchPassedRoute, type PassedRoute } from "./passedOpenAIRoute.js";

/**
 * `/v1/*` (the OpenAI-compatible API) passed through to core with the same retries, failover and breaker as packets.
 * The body goes byte for byte; the answer comes back as core sends it, an SSE stream relayed chunk by chunk. Failover
 * can only happen before core's first byte (core sends its headers with the first token), never mid-stream.
 * With N replicas, a request goes to the one its `user`, else its conversation's stable prefix, hashes to (see
 * openAIAffinity). When no core can answer, the error is in OpenAI's shape so SDKs raise (and retry) as usual. Only
 * core's /v1 routes are passed, on their canonical path: anything else under /v1 is a 404 here, never a request to core.
 */
export function openAIPassThroughRouter(client: CoreClient, bodyLimit: string): Router {
  const router = express.Router();
  // the route is matched before the body is read: a path the gateway does not pass costs no body
  router.use("/v1", (req, res, next) => {
    const route = matchPassedRoute(req.method, req.originalUrl);
    if (route.kind === "passed") {
      res.locals.passedRoute = route;
      return next();
    }
    if (route.kind === "wrong-method") {
      res.set("Allow", route.allowed);
      sendOpenAIError(res, new OpenAIError(405, `${req.method} is not served on this route.`, "invalid_request_error"));
      return;
    }
    const path = req.originalUrl.split("?")[0];
    sendOpenAIError(
      res,
      new OpenAIError(404, `No route for ${req.method} ${path}.`, "not_found_error", null, "unknown_url"),
    );
  });
  router.use("/v1", express.raw({ type: () => true, limit: bodyLimit }), async (req, res) => {
    const route = res.locals.passedRoute as PassedRoute;
    const signal = abortOnClose(res);
    const body = route.method === "POST" ? (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)) : undefined;
    const affinity = openAIAffinity(body);
    let served: Awaited<ReturnType<CoreClient["post"]>>;
    try {
      served = await client.post(route.url, {
        method: route.method,
        ...(body ? { body } : {}),
        ...(affinity ? { context: { affinity_key: affinity.key, affinity: affinity.source } } : {}),
        headers: {
          "content-type": req.get("content-type") ?? "application/json",
          accept: req.get("accept") ?? "application/json",
        },
        signal,
      });
    } catch (error) {
      if (signal.aborted) return;
      return sendOpenAIError(res, openAIErrorFromProblem(problemForCoreFailure(error)));
    }
    res.locals.served_by = servedByRole(served);
    res.locals.endpoint = served.servedBy;
    await relayResponse(served, res);
  });
  return router;
}
