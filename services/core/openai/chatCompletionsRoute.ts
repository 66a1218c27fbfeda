import { randomUUID } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import { abortOnClose } from "../../../shared/http/abortOnClose.js";
import { OpenAIError } from "../../../shared/openai/OpenAIError.js";
import type { CoreState } from "../CoreState.js";
import { NotReadyError, ShuttingDownError } from "../errors/unavailableErrors.js";
import type { GenerationResult, PromptMessage, ResponseFormat, StopReason } from "../inference/InferenceEngine.js";
import { ClientClosedError } from "../pipeline/ClientClosedError.js";
import type { TurnObserver } from "../pipeline/TurnOutcome.js";
import { removeHiddenReasoning } from "../text/hiddenReasoning.js";
import { ThinkTagStreamFilter } from "../text/ThinkTagStreamFilter.js";
import {
  type ChatCompletionRequest,
  ChatCompletionRequestSchema,
  contentText,
  openAIParamPath,
  unsupportedChatParameter,
} from "./chatCompletionRequest.js";
import { SseStream } from "./SseStream.js";

export interface ChatCompletionsDeps {
  state: CoreState;
  /** Upper bound on generated tokens, whatever the request asks (GAIA_MAX_TOKENS_CAP). */
  maxTokensCap: number;
  model: string;
  buildId: string;
  observer?: TurnObserver;
}

/** llama-server's defaults, used when the request leaves a setting out. */
const DEFAULT_TEMPERATURE = 0.8;
const DEFAULT_TOP_P = 0.95;

const FINISH_REASONS: Record<StopReason, "stop" | "length"> = {
  eos: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  time_budget: "length",
  cancelled: "stop",
};

/** Parses and checks the body: unsupported features and schema violations are 400s naming the field. */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
  const unsupported = unsupportedChatParameter(body);
  if (unsupported) {
    throw new OpenAIError(
      400,
      unsupported.message,
      "invalid_request_error",
      unsupported.param,
      "unsupported_parameter",
    );
  }
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue ? openAIParamPath(issue.path) : null;
    throw new OpenAIError(
      400,
      `Invalid request: ${param ? `${param}: ` : ""}${issue?.message ?? "invalid body"}`,
      "invalid_request_error",
      param,
      "invalid_value",
    );
  }
  return parsed.data;
}

function responseFormatOf(request: ChatCompletionRequest): ResponseFormat | undefined {
  const format = request.response_format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  return format.json_schema.schema
    ? { type: "json_schema", schema: format.json_schema.schema }
    : { type: "json_object" };
}

function toPromptMessages(request: ChatCompletionRequest): PromptMessage[] {
  return request.messages.map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content: contentText(m.content),
  }));
}

function usageOf(result: GenerationResult) {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
    prompt_tokens_details: { cached_tokens: result.reusedPromptTokens },
  };
}

/**
 * POST /v1/chat/completions: OpenAI's chat API on the same engine, queue, slots and metrics as packets. Stateless (the
 * client sends the history; nothing is stored), but served by the slot whose KV cache holds the longest prefix of the
 * prompt, so a conversation's next turn only evaluates its new messages. Hidden reasoning (`<think>…</think>`) is
 * removed from `content`, as llama-server does by default, and not returned. A client that disconnects cancels
 * generation.
 */
export function chatCompletionsRouter(deps: ChatCompletionsDeps, bodyParser: express.RequestHandler): Router {
  const router = express.Router();
  router.post("/v1/chat/completions", bodyParser, async (req: Request, res: Response) => {
    const request = parseChatRequest(req.body);
    const { state } = deps;
    if (state.status === "draining") throw new ShuttingDownError();
    if (state.status !== "ready" || !state.parts)
      throw new NotReadyError(state.status === "failed" ? "failed to load its model" : "loading its model");
    const { engine } = state.parts;

    const messages = toPromptMessages(request);
    const promptTokens = engine.countTokens(messages);
    const asked = request.max_completion_tokens ?? request.max_tokens ?? null;
    const room = engine.contextSize - promptTokens;
    if (room < 1 || (asked !== null && asked > room)) {
      throw new OpenAIError(
        400,
        `This model's context is ${engine.contextSize} tokens; the messages take ${promptTokens}` +
          (asked !== null ? ` and ${asked} were asked for the completion.` : "."),
        "invalid_request_error",
        "messages",
        "context_length_exceeded",
      );
    }
    const maxTokens = Math.min(asked ?? deps.maxTokensCap, deps.maxTokensCap, room);
    const stop = typeof request.stop === "string" ? [request.stop] : (request.stop ?? []);
    const responseFormat = responseFormatOf(request);

    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model: deps.model, system_fingerprint: deps.buildId };
    const cancelled = abortOnClose(res, () => new ClientClosedError());
    const stream = request.stream ? new SseStream(res) : null;
    const includeUsage = request.stream_options?.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      ...base,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
    const filter = new ThinkTagStreamFilter();
    let leading = true;
    const emit = (text: string) => {
      // the answer's leading white space (what follows a closed think block) is dropped, as in `content`
      const visible = leading ? text.trimStart() : text;
      if (!visible || !stream) return;
      if (leading) stream.send(chunk({ role: "assistant", content: "" }, null));
      leading = false;
      stream.send(chunk({ content: visible }, null));
    };
    const log = res.locals as Record<string, unknown>;
    log.streamed = Boolean(stream);

    let result: GenerationResult;
    try {
      result = await engine.generate({
        // a fresh owner per request: no session, the slot is chosen by the prompt's prefix
        sessionKey: `v1:${id}`,
        slotChoice: "longest_prefix",
        messages,
        maxTokens,
        temperature: request.temperature ?? DEFAULT_TEMPERATURE,
        topP: request.top_p ?? DEFAULT_TOP_P,
        ...(request.seed !== null && request.seed !== undefined ? { seed: request.seed } : {}),
        ...(request.presence_penalty ? { presencePenalty: request.presence_penalty } : {}),
        ...(request.frequency_penalty ? { frequencyPenalty: request.frequency_penalty } : {}),
        ...(responseFormat ? { responseFormat } : {}),
        stop,
        signal: cancelled,
        onTextChunk: (text) => emit(filter.push(text)),
      });
    } catch (error) {
      if (cancelled.aborted) return; // nobody left to answer
      if (!stream?.started) throw error;
      stream.send({ error: { message: (error as Error).message, type: "server_error", param: null, code: null } });
      stream.done();
      return;
    }
    Object.assign(log, {
      prompt_tokens: result.promptTokens,
      completion_tokens: result.completionTokens,
      kv_reused_tokens: result.reusedPromptTokens,
      stop: result.stopReason,
    });
    deps.observer?.turnCompleted({ ...result, replayed: false, historyMode: "full" });
    if (result.stopReason === "cancelled") return;
    emit(filter.end());
    const finishReason = FINISH_REASONS[result.stopReason];
    const content = removeHiddenReasoning(result.text).trim();

    if (!stream) {
      res.json({
        ...base,
        object: "chat.completion",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content, refusal: null },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage: usageOf(result),
      });
      return;
    }
    if (leading) stream.send(chunk({ role: "assistant", content: "" }, null));
    stream.send(chunk({}, finishReason));
    if (includeUsage) stream.send({ ...base, object: "chat.completion.chunk", choices: [], usage: usageOf(result) });
    stream.done();
  });
  return router;
}
