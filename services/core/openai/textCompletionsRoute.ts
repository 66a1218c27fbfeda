import { randomUUID } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import { abortOnClose } from "../../../shared/http/abortOnClose.js";
import { OpenAIError } from "../../../shared/openai/OpenAIError.js";
import type { CoreState } from "../CoreState.js";
import { generateAnswer } from "../generation/generateAnswer.js";
import { readyParts } from "../http/requireReady.js";
import { settleStreamFailure } from "../http/settleStreamFailure.js";
import type { CompletionRequest, InferenceEngine, RawPrompt } from "../inference/InferenceEngine.js";
import { ClientClosedError } from "../pipeline/ClientClosedError.js";
import type { TurnObserver } from "../pipeline/TurnOutcome.js";
import { finishReasonOf } from "./chatCompletionResponse.js";
import { completionBudget, openAISampling } from "./openAISampling.js";
import { TextCompletionStream } from "./TextCompletionStream.js";
import { parseTextCompletionRequest, type TextCompletionRequest } from "./textCompletionRequest.js";
import { totalUsage } from "./textCompletionResponse.js";

export interface TextCompletionsDeps {
  state: CoreState;
  /** Upper bound on generated tokens per prompt, whatever the request asks (GAIA_MAX_TOKENS_CAP). */
  maxTokensCap: number;
  model: string;
  buildId: string;
  observer?: TurnObserver;
}

/** One prompt of the request and the tokens its completion may take. */
interface PlannedPrompt {
  prompt: RawPrompt;
  maxTokens: number;
}

/**
 * Tokens each prompt's completion may take: what the request asks, capped by config and by what the context has left.
 * Every prompt is checked before the first one runs, so a bad one is a 400 and not a stream cut half-way.
 */
function planPrompts(engine: InferenceEngine, request: TextCompletionRequest, maxTokensCap: number): PlannedPrompt[] {
  const prompts = typeof request.prompt === "string" ? [request.prompt] : request.prompt;
  const asked = request.max_tokens ?? null;
  return prompts.map((text, i) => {
    const prompt: RawPrompt = request.suffix != null ? { prompt: text, suffix: request.suffix } : { prompt: text };
    const param = typeof request.prompt === "string" ? "prompt" : `prompt[${i}]`;
    const promptTokens = engine.countPromptTokens(prompt);
    if (promptTokens === 0)
      throw new OpenAIError(400, `${param} is empty: nothing to continue.`, "invalid_request_error", param);
    const budget = { contextSize: engine.contextSize, promptTokens, asked, maxTokensCap };
    return { prompt, maxTokens: completionBudget(budget, param, `${param} takes`) };
  });
}

/** The engine request for one prompt: stateless, so the slot is chosen by the prompt's longest cached prefix. */
function completionRequestOf(
  request: TextCompletionRequest,
  plan: PlannedPrompt,
  owner: string,
): Omit<CompletionRequest, "onTextChunk"> {
  return {
    ...plan.prompt,
    // a fresh owner per prompt: no session, the slot is chosen by the prompt's prefix
    sessionKey: `v1:${owner}`,
    slotChoice: "longest_prefix",
    maxTokens: plan.maxTokens,
    ...openAISampling(request),
  };
}

/**
 * POST /v1/completions: OpenAI's text completions on the same engine, queue, slots, generation step and metrics as
 * chat, with no chat template: the model continues `prompt` (or, with `suffix`, fills the gap between the two), and the
 * text comes back as the model wrote it (no think-tag filtering, nothing trimmed). A list of prompts gets one choice
 * per prompt, generated one after the other. A client that disconnects cancels generation.
 */
export function textCompletionsRouter(deps: TextCompletionsDeps, bodyParser: express.RequestHandler): Router {
  const router = express.Router();
  router.post("/v1/completions", bodyParser, async (req: Request, res: Response) => {
    const request = parseTextCompletionRequest(req.body);
    const { engine } = readyParts(deps.state);
    const plans = planPrompts(engine, request, deps.maxTokensCap);
    const id = `cmpl-${randomUUID()}`;
    const base = { id, created: Math.floor(Date.now() / 1000), model: deps.model, system_fingerprint: deps.buildId };
    const cancelled = abortOnClose(res, () => new ClientClosedError());
    const stream = request.stream
      ? new TextCompletionStream(res, base, request.stream_options?.include_usage === true)
      : null;
    const log = res.locals as Record<string, unknown>;
    log.streamed = Boolean(stream);
    try {
      const choices = [];
      for (const [index, plan] of plans.entries()) {
        const result = await generateAnswer(
          { engine, observer: deps.observer, rawText: true },
          {
            ...completionRequestOf(request, plan, `${id}:${index}`),
            signal: cancelled,
            ...(stream ? { onVisibleText: (text: string) => stream.text(index, text) } : {}),
          },
        );
        const finishReason = finishReasonOf(result.stopReason);
        stream?.finishChoice(index, finishReason);
        choices.push({ result, choice: { text: result.answer, index, logprobs: null, finish_reason: finishReason } });
      }
      const usage = totalUsage(choices.map((c) => c.result));
      Object.assign(log, {
        prompts: choices.length,
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        kv_reused_tokens: usage.prompt_tokens_details.cached_tokens,
        stop: choices.map((c) => c.result.stopReason).join(","),
      });
      if (stream) return stream.finish(usage);
      res.json({ ...base, object: "text_completion", choices: choices.map((c) => c.choice), usage });
    } catch (error) {
      settleStreamFailure(error, cancelled, stream);
    }
  });
  return router;
}
