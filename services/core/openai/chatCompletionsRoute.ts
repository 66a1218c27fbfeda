import { randomUUID } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import { abortOnClose } from "../../../shared/http/abortOnClose.js";
import type { CoreState } from "../CoreState.js";
import { generateAnswer } from "../generation/generateAnswer.js";
import { readyParts } from "../http/requireReady.js";
import { settleStreamFailure } from "../http/settleStreamFailure.js";
import type { InferenceEngine, PromptMessage, ResponseFormat } from "../inference/InferenceEngine.js";
import type { ToolCallEvent } from "../inference/tools/ToolCallParser.js";
import { ClientClosedError } from "../pipeline/ClientClosedError.js";
import type { TurnObserver } from "../pipeline/TurnOutcome.js";
import { ChatCompletionStream } from "./ChatCompletionStream.js";
import {
  type ChatCompletionRequest,
  ChatCompletionRequestSchema,
  unsupportedChatParameter,
} from "./chatCompletionRequest.js";
import { finishReasonOf, usageOf } from "./chatCompletionResponse.js";
import { returnsReasoning, thoughtBudgetOf } from "./chatReasoning.js";
import { ChatToolCalls } from "./chatToolCalls.js";
import { promptMessagesOf, toolUseOf, usesLegacyFunctions } from "./chatToolRequest.js";
import { completionBudget, openAISampling } from "./openAISampling.js";
import { parseOpenAIRequest } from "./parseOpenAIRequest.js";

export interface ChatCompletionsDeps {
  state: CoreState;
  /** Upper bound on generated tokens, whatever the request asks (GAIA_MAX_TOKENS_CAP). */
  maxTokensCap: number;
  model: string;
  buildId: string;
  observer?: TurnObserver;
  /** Whether answers carry the model's reasoning when a request does not say (GAIA_REASONING_FORMAT). */
  reasoningFormat: "none" | "deepseek";
}

/** Parses and checks the body: unsupported features and schema violations are 400s naming the field. */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
  return parseOpenAIRequest(ChatCompletionRequestSchema, body, unsupportedChatParameter);
}

function responseFormatOf(request: ChatCompletionRequest): ResponseFormat | undefined {
  const format = request.response_format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  return format.json_schema.schema
    ? { type: "json_schema", schema: format.json_schema.schema }
    : { type: "json_object" };
}

/** Tokens the answer may take once the messages are in the context (a 400 naming `messages` when they leave none). */
function chatBudget(
  engine: InferenceEngine,
  messages: PromptMessage[],
  request: ChatCompletionRequest,
  maxTokensCap: number,
): number {
  const asked = request.max_completion_tokens ?? request.max_tokens ?? null;
  const budget = { contextSize: engine.contextSize, promptTokens: engine.countTokens(messages), asked, maxTokensCap };
  return completionBudget(budget, "messages", "the messages take");
}

/** The engine request for a chat completion: stateless, so the slot is chosen by the prompt's longest cached prefix. */
function generationRequestOf(request: ChatCompletionRequest, messages: PromptMessage[], maxTokens: number, id: string) {
  const responseFormat = responseFormatOf(request);
  return {
    // a fresh owner per request: no session, the slot is chosen by the prompt's prefix
    sessionKey: `v1:${id}`,
    slotChoice: "longest_prefix" as const,
    messages,
    maxTokens,
    ...openAISampling(request),
    ...(responseFormat ? { responseFormat } : {}),
  };
}

/**
 * POST /v1/chat/completions: OpenAI's chat API on the same engine, queue, slots, generation step and metrics as
 * packets. Stateless (the client sends the history; nothing is stored), but served by the slot whose KV cache holds the
 * longest prefix of the prompt, so a conversation's next turn only evaluates its new messages. Hidden reasoning
 * (`<think>…</think>`) is never in `content`: dropped, or returned as `reasoning_content` with `reasoning_format:
 * "deepseek"` (llama-server's names). With `tools`, the model answers in
 * its template's tool-call syntax under a grammar, so every call names an offered tool and its arguments match that
 * tool's schema. A client that disconnects cancels generation.
 */
export function chatCompletionsRouter(deps: ChatCompletionsDeps, bodyParser: express.RequestHandler): Router {
  const router = express.Router();
  router.post("/v1/chat/completions", bodyParser, async (req: Request, res: Response) => {
    const request = parseChatRequest(req.body);
    const { engine } = readyParts(deps.state);
    const messages = promptMessagesOf(request);
    const tools = toolUseOf(request);
    const maxTokens = chatBudget(engine, messages, request, deps.maxTokensCap);
    const id = `chatcmpl-${randomUUID()}`;
    const base = { id, created: Math.floor(Date.now() / 1000), model: deps.model, system_fingerprint: deps.buildId };
    const cancelled = abortOnClose(res, () => new ClientClosedError());
    const stream = request.stream
      ? new ChatCompletionStream(res, base, request.stream_options?.include_usage === true)
      : null;
    const calls = new ChatToolCalls(usesLegacyFunctions(request));
    const withReasoning = returnsReasoning(request, deps.reasoningFormat);
    const thoughtBudget = thoughtBudgetOf(request);
    const log = res.locals as Record<string, unknown>;
    log.streamed = Boolean(stream);
    try {
      const result = await generateAnswer(
        { engine, observer: deps.observer },
        {
          ...generationRequestOf(request, messages, maxTokens, id),
          ...(tools ? { tools } : {}),
          ...(thoughtBudget !== undefined ? { thoughtBudget } : {}),
          signal: cancelled,
          ...(stream
            ? {
                onVisibleText: (text: string) => stream.content(text),
                onToolCallEvent: (event: ToolCallEvent) => stream.send(calls.delta(event)),
                ...(withReasoning
                  ? { onReasoningText: (text: string) => stream.send({ reasoning_content: text }) }
                  : {}),
              }
            : {}),
        },
      );
      Object.assign(log, {
        prompt_tokens: result.promptTokens,
        completion_tokens: result.completionTokens,
        kv_reused_tokens: result.reusedPromptTokens,
        stop: result.stopReason,
        tool_calls: result.toolCalls?.length ?? 0,
      });
      const made = result.toolCalls ?? [];
      const finishReason = made.length > 0 ? calls.finishReason : finishReasonOf(result.stopReason);
      if (stream) return stream.finish(finishReason, result);
      const message = {
        role: "assistant",
        // OpenAI's content is null when the answer only calls tools
        content: made.length > 0 && !result.answer ? null : result.answer,
        refusal: null,
        ...(withReasoning && result.reasoning ? { reasoning_content: result.reasoning } : {}),
        ...calls.messageFields(made),
      };
      res.json({
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage: usageOf(result),
      });
    } catch (error) {
      settleStreamFailure(error, cancelled, stream);
    }
  });
  return router;
}
