import express, { type RequestHandler, type Router } from "express";
import { getModuleVersion } from "node-llama-cpp";
import type { z } from "zod";
import type { HttpProblem } from "../../../shared/http/HttpProblem.js";
import type { Logger } from "../../../shared/logging/logger.js";
import { OpenAIError } from "../../../shared/openai/OpenAIError.js";
import type { CoreState } from "../CoreState.js";
import { readyParts, requireReady } from "../http/requireReady.js";
import type { EngineInspector } from "../inference/EngineInspector.js";
import type { InferenceEngine } from "../inference/InferenceEngine.js";
import { InvalidTokenError } from "../inference/InvalidTokenError.js";
import { openAIParamPath } from "../openai/chatCompletionRequest.js";
import { promptMessagesOf } from "../openai/chatToolRequest.js";
import { openAIErrorMiddleware } from "../openai/openAIErrors.js";
import { propsBody, slotBody } from "./llamaServerShapes.js";
import { ApplyTemplateRequestSchema, DetokenizeRequestSchema, TokenizeRequestSchema } from "./opsRequests.js";

export interface OpsRouterDeps {
  state: CoreState;
  modelPath: string;
  /** The id /v1/models reports (llama-server's alias). */
  model: string;
  maxTokensCap: number;
  bodyLimit: string;
  buildId: string;
  version: string;
  logger: Logger;
  toProblem: (error: unknown) => HttpProblem | null;
}

/** llama-server's ops paths; their errors are in the same `{"error":{…}}` shape as /v1 (llama-server's too). */
export const OPS_PATHS = ["/tokenize", "/detokenize", "/apply-template", "/props", "/slots"];

function inspectorOf(engine: InferenceEngine): EngineInspector {
  if (engine.inspector) return engine.inspector;
  throw new OpenAIError(
    503,
    "This gaia-core's engine has no tokenizer or slots to inspect (a stub engine is loaded).",
    "server_error",
    null,
    "inspector_unavailable",
  );
}

/** The body parsed with `schema`, or a 400 naming the first field at fault. */
function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue && issue.path.length > 0 ? openAIParamPath(issue.path) : null;
  throw new OpenAIError(400, `Invalid request: ${param ?? "body"}: ${issue?.message}`, "invalid_request_error", param);
}

/** POST /tokenize, /detokenize and /apply-template: the model's tokenizer and chat template. */
function textRoutes(router: Router, state: CoreState, json: RequestHandler): void {
  router.post("/tokenize", json, (req, res) => {
    const inspector = inspectorOf(readyParts(state).engine);
    const request = parseBody(TokenizeRequestSchema, req.body);
    const tokens = inspector.tokenizeText(request.content, {
      addSpecial: request.add_special,
      parseSpecial: request.parse_special,
    });
    res.json({
      tokens: request.with_pieces ? tokens.map((id) => ({ id, piece: inspector.tokenPiece(id) })) : tokens,
    });
  });

  router.post("/detokenize", json, (req, res) => {
    const inspector = inspectorOf(readyParts(state).engine);
    const { tokens } = parseBody(DetokenizeRequestSchema, req.body);
    try {
      res.json({ content: inspector.detokenize(tokens) });
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      const param = `tokens[${tokens.indexOf(error.token)}]`;
      throw new OpenAIError(400, `Invalid request: ${param}: ${error.message}`, "invalid_request_error", param);
    }
  });

  router.post("/apply-template", json, (req, res) => {
    const inspector = inspectorOf(readyParts(state).engine);
    const request = parseBody(ApplyTemplateRequestSchema, req.body);
    res.json({ prompt: inspector.renderPrompt(promptMessagesOf(request)) });
  });
}

/** GET /props and GET /slots: the loaded model and what its slots hold. */
function stateRoutes(router: Router, deps: OpsRouterDeps): void {
  const buildInfo = `gaia-core ${deps.version} (build ${deps.buildId}), node-llama-cpp ${getModuleVersion()}`;
  router.get("/props", (_req, res) => {
    const engine = readyParts(deps.state).engine;
    res.json(
      propsBody({
        model: inspectorOf(engine).describeModel(),
        modelPath: deps.state.modelFile ?? deps.modelPath,
        modelAlias: deps.model,
        contextSize: engine.contextSize,
        totalSlots: engine.load().slots,
        maxTokens: deps.maxTokensCap,
        buildInfo,
      }),
    );
  });

  router.get("/slots", (req, res) => {
    const engine = readyParts(deps.state).engine;
    const slots = inspectorOf(engine).describeSlots();
    // llama-server's ?fail_on_no_slot=1: a 503 when every slot is busy (for load balancers)
    if (req.query.fail_on_no_slot === "1" && slots.every((s) => s.busy))
      throw new OpenAIError(503, "no slot available", "server_error", null, "no_slot_available", {
        "Retry-After": "1",
      });
    res.json(slots.map((slot) => slotBody(slot, engine.contextSize, deps.maxTokensCap)));
  });
}

/**
 * POST /tokenize, POST /detokenize, POST /apply-template, GET /props and GET /slots in llama-server's request and
 * response shapes: what llama-server users script against. Read-only: none of them waits for or touches a slot.
 */
export function opsRouter(deps: OpsRouterDeps): Router {
  const router = express.Router();
  router.use(OPS_PATHS, requireReady(deps.state));
  // any content type is read as JSON, as llama-server does (curl -d sends form encoding by default)
  textRoutes(router, deps.state, express.json({ limit: deps.bodyLimit, strict: false, type: () => true }));
  stateRoutes(router, deps);
  router.use(OPS_PATHS, openAIErrorMiddleware(deps.logger, deps.toProblem));
  return router;
}
