import {
  type ChatHistoryItem,
  type ChatWrapper,
  getLlama,
  type Llama,
  LlamaChat,
  LlamaCompletion,
  type LlamaContext,
  type LlamaGrammar,
  LlamaLogLevel,
  type LlamaModel,
  resolveChatWrapper,
} from "node-llama-cpp";
import type { Logger } from "../../../shared/logging/logger.js";
import { GenerationStops } from "./GenerationStops.js";
import type {
  CompletionRequest,
  EngineLoad,
  GenerationRequest,
  GenerationResult,
  InferenceEngine,
  PromptMessage,
  RawPrompt,
  ResponseFormat,
  StopReason,
} from "./InferenceEngine.js";
import { rawPromptTokens } from "./rawPromptTokens.js";
import { SlotPool } from "./SlotPool.js";
import { samplingOptions } from "./samplingOptions.js";
import { UnsupportedJsonSchemaError } from "./UnsupportedJsonSchemaError.js";

export interface LiteModelOptions {
  /** Path of the GGUF file. */
  modelPath: string;
  /** CPU threads for evaluation; always explicit (node-llama-cpp's CPU default oversubscribes small machines). */
  threads: number;
  /** Requested tokens per sequence; capped by the model's training context. */
  contextSize: number;
  /** Context sequences: concurrent generations (batched together) and warm sessions. */
  parallel: number;
  /** Requests that may wait for a sequence before new ones get QueueFullError. */
  queueSize: number;
  logger?: Logger;
}

/** Converts pipeline messages to node-llama-cpp's chat history, ending with the empty model turn to generate. */
function toChatHistory(messages: readonly PromptMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map(
    (m): ChatHistoryItem =>
      m.role === "system"
        ? { type: "system", text: m.content }
        : m.role === "user"
          ? { type: "user", text: m.content }
          : { type: "model", response: [m.content] },
  );
  history.push({ type: "model", response: [] });
  return history;
}

const STOP_REASONS: Record<string, StopReason> = {
  eogToken: "eos",
  stopGenerationTrigger: "eos",
  customStopTrigger: "stop_sequence",
  maxTokens: "max_tokens",
  functionCalls: "eos",
  abort: "cancelled",
};

/**
 * Tokens a next-turn preparation evaluates between two checks for a request that needs the CPU: at ~130 prompt
 * tokens/s on one thread a chunk takes ~0.25 s, the longest a new request waits for a preparation to yield.
 */
const PREPARE_CHUNK_TOKENS = 32;

/** The server must have been idle this long before a next-turn preparation starts (see SlotPool). */
const PREPARE_AFTER_IDLE_MS = 150;

/**
 * The lite model on CPU through node-llama-cpp: one model, one context with `parallel` sequences (batched by
 * node-llama-cpp), each wrapped in a LlamaChat that reuses the prefix already in its KV cache. Sessions stick to the
 * sequence that served them last, so a session's next turn only evaluates the new tokens.
 */
export class LiteModel implements InferenceEngine, AsyncDisposable {
  private generationMsAverage = 2000;
  private readonly grammars = new Map<string, LlamaGrammar>();
  private disposal: Promise<void> | undefined;

  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper,
    private readonly pool: SlotPool<LlamaChat>,
    readonly loadMs: number,
    private readonly logger: Logger | undefined,
  ) {}

  /** Loads the model and creates its context; throws node-llama-cpp's own errors (ENOENT, InvalidGgufMagicError…). */
  static async load(options: LiteModelOptions): Promise<LiteModel> {
    const started = performance.now();
    const log = options.logger;
    const llama = await getLlama({
      gpu: false,
      build: "never",
      logLevel: LlamaLogLevel.warn,
      maxThreads: options.threads,
      logger: (level, message) => {
        const text = message.trim();
        if (!text) return;
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal)
          log?.error({ llama: text }, "llama.cpp error");
        else log?.debug({ llama: text }, "llama.cpp");
      },
    });
    try {
      let lastProgress = -1;
      const model = await llama.loadModel({
        modelPath: options.modelPath,
        gpuLayers: 0,
        onLoadProgress: (progress) => {
          const percent = Math.floor(progress * 4) * 25;
          if (percent > lastProgress) {
            lastProgress = percent;
            log?.info({ model: options.modelPath, progress: percent }, "loading model");
          }
        },
      });
      const contextSize = Math.min(options.contextSize, model.trainContextSize);
      const context = await model.createContext({
        contextSize,
        sequences: options.parallel,
        threads: options.threads,
        batchSize: Math.min(512, contextSize),
      });
      const chatWrapper = resolveChatWrapper(model);
      const sequences = Array.from(
        { length: options.parallel },
        () => new LlamaChat({ contextSequence: context.getSequence(), chatWrapper, autoDisposeSequence: true }),
      );
      let engine: LiteModel | undefined;
      const pool = new SlotPool(
        sequences,
        options.queueSize,
        () => engine?.retryAfterSeconds() ?? 5,
        PREPARE_AFTER_IDLE_MS,
      );
      engine = new LiteModel(llama, model, context, chatWrapper, pool, Math.round(performance.now() - started), log);
      log?.info(
        {
          model: options.modelPath,
          load_ms: engine.loadMs,
          context_size: context.contextSize,
          sequences: options.parallel,
          threads: options.threads,
          chat_wrapper: chatWrapper.wrapperName,
          // "prebuilt" (the binding's own binaries) or "localBuild" (npm run engine:build)
          engine_build: llama.buildType,
          train_context: model.trainContextSize,
        },
        "model ready",
      );
      return engine;
    } catch (error) {
      await llama.dispose();
      throw error;
    }
  }

  /** True once dispose() has been called. */
  get disposed(): boolean {
    return this.disposal !== undefined;
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  /** Name of the chat wrapper node-llama-cpp resolved from the GGUF's template ("ChatML", "Qwen", …). */
  get chatWrapperName(): string {
    return this.chatWrapper.wrapperName;
  }

  get modelName(): string | null {
    return this.model.fileInfo.metadata.general?.name ?? null;
  }

  countTokens(messages: readonly PromptMessage[]): number {
    return this.tokenize(toChatHistory(messages)).length;
  }

  /** The tokens the chat template renders `history` to: what the sequence must hold before generating. */
  private tokenize(history: ChatHistoryItem[]) {
    return this.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(this.model.tokenizer);
  }

  load(): EngineLoad {
    return this.pool.load();
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const queuedAt = performance.now();
    const history = toChatHistory(request.messages);
    const promptTokens = this.tokenize(history);
    const grammar = request.responseFormat ? await this.grammarFor(request.responseFormat) : undefined;
    const lease = await this.pool.acquire(
      request.sessionKey,
      request.signal,
      request.slotChoice === "longest_prefix"
        ? (slot) => slot.sequence.compareContextTokens(promptTokens).firstDifferentIndex
        : undefined,
    );
    const queuedMs = performance.now() - queuedAt;
    const chat = lease.slot;
    const stops = new GenerationStops(request, Boolean(this.chatWrapper.settings.segments?.thought));
    try {
      const reusedPromptTokens = chat.sequence.compareContextTokens(promptTokens).firstDifferentIndex;
      const meterBefore = chat.sequence.tokenMeter.getState();
      const started = performance.now();
      let firstTokenAt: number | null = null;
      const onText = (text: string) => {
        firstTokenAt ??= performance.now();
        request.onTextChunk?.(text);
      };
      const response = await chat
        .generateResponse(history, {
          ...samplingOptions(request),
          ...(grammar ? { grammar } : {}),
          ...stops.generationOptions(onText),
        })
        .catch((error: unknown) => {
          // node-llama-cpp throws the abort reason instead of returning when nothing was generated yet
          if (stops.isOwnAbort(error)) return null;
          throw error;
        });
      const tail = stops.end();
      if (tail) onText(tail);
      const finished = performance.now();
      this.generationMsAverage = 0.8 * this.generationMsAverage + 0.2 * (finished - started);
      return {
        text: stops.answerText(response?.response ?? null),
        stopReason: stops.reason(response ? (STOP_REASONS[response.metadata.stopReason] ?? "eos") : null),
        promptTokens: promptTokens.length,
        reusedPromptTokens,
        completionTokens: chat.sequence.tokenMeter.getState().usedOutputTokens - meterBefore.usedOutputTokens,
        queuedMs,
        timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
        generationMs: finished - started,
      };
    } finally {
      stops.dispose();
      lease.release();
    }
  }

  /** node-llama-cpp's grammar for the format; schema grammars are cached by their JSON text (clients repeat them). */
  private async grammarFor(format: ResponseFormat): Promise<LlamaGrammar> {
    // any failure here, a schema too deep to walk included, is the schema's: never an exception of ours
    try {
      const key = format.type === "json_object" ? "json" : JSON.stringify(format.schema);
      const cached = this.grammars.get(key);
      if (cached) return cached;
      const grammar =
        format.type === "json_object"
          ? await this.llama.getGrammarFor("json")
          : await this.llama.createGrammarForJsonSchema(
              format.schema as Parameters<Llama["createGrammarForJsonSchema"]>[0],
            );
      if (this.grammars.size >= 32) this.grammars.delete(this.grammars.keys().next().value ?? "");
      this.grammars.set(key, grammar);
      return grammar;
    } catch (error) {
      throw new UnsupportedJsonSchemaError((error as Error).message);
    }
  }

  prepareNextTurn(sessionKey: string, conversation: readonly PromptMessage[]): void {
    this.pool.runInBackground(sessionKey, (chat, signal, hurried) =>
      this.evaluatePrefix(chat, conversation, signal, hurried).catch((error: unknown) => {
        this.logger?.debug({ err: error, session: sessionKey }, "next-turn prefix not prepared");
        return true;
      }),
    );
  }

  /**
   * Makes the sequence hold exactly the tokens the next prompt will start with: the conversation rendered with the
   * chat template up to where the next user message's text begins. What the model sampled is often not how the
   * tokenizer would encode the same text, so without this the previous answer would be evaluated again next turn.
   * Evaluates in short chunks and stops between two when `signal` is aborted (a request needs the slot or the CPU);
   * what was evaluated stays valid, so a later call continues from there. Once `hurried()` (the session's own next
   * packet waits for it) the rest goes in one batch: short chunks cost a pass over the weights each. Resolves true when
   * the prefix is complete.
   */
  private async evaluatePrefix(
    chat: LlamaChat,
    conversation: readonly PromptMessage[],
    signal: AbortSignal,
    hurried: () => boolean,
  ): Promise<boolean> {
    const render = (next: string) => this.tokenize(toChatHistory([...conversation, { role: "user", content: next }]));
    const [a, b] = [render("a"), render("b")];
    let length = 0;
    while (length < a.length && length < b.length && a[length] === b[length]) length++;
    const prefix = a.slice(0, length);
    const sequence = chat.sequence;
    const { firstDifferentIndex } = sequence.compareContextTokens(prefix);
    if (firstDifferentIndex < sequence.nextTokenIndex) {
      await sequence.eraseContextTokenRanges([{ start: firstDifferentIndex, end: sequence.nextTokenIndex }]);
    }
    for (let at = firstDifferentIndex; at < prefix.length; ) {
      if (signal.aborted) return false;
      const end = hurried() ? prefix.length : at + PREPARE_CHUNK_TOKENS;
      await sequence.evaluateWithoutGeneratingNewTokens(prefix.slice(at, end));
      at = end;
    }
    return true;
  }

  /** Seconds a client should wait before retrying when the queue is full: roughly one queue's worth of turns. */
  private retryAfterSeconds(): number {
    const { waiting, slots } = this.pool.load();
    return Math.max(1, Math.ceil((this.generationMsAverage * (waiting / slots + 1)) / 1000));
  }

  countPromptTokens(prompt: RawPrompt): number {
    return rawPromptTokens(this.model, prompt, this.modelName ?? "this model").sequence.length;
  }

  /**
   * A raw-text completion, or fill-in-the-middle with a suffix, by node-llama-cpp's LlamaCompletion on a slot's
   * sequence: the same pool, longest-prefix choice, sampler, stops and observer figures as generate(). LlamaChat and
   * LlamaCompletion both align the sequence's KV cache with their input by comparing tokens, so one slot serves either
   * kind and keeps the prefix they share. No chat template and no thought parsing: the text is what the model wrote.
   */
  async complete(request: CompletionRequest): Promise<GenerationResult> {
    const queuedAt = performance.now();
    const input = rawPromptTokens(this.model, request, this.modelName ?? "this model");
    const lease = await this.pool.acquire(
      request.sessionKey,
      request.signal,
      request.slotChoice === "longest_prefix"
        ? (slot) => slot.sequence.compareContextTokens(input.sequence).firstDifferentIndex
        : undefined,
    );
    const queuedMs = performance.now() - queuedAt;
    const sequence = lease.slot.sequence;
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const stops = new GenerationStops(request, false);
    try {
      const reusedPromptTokens = sequence.compareContextTokens(input.sequence).firstDifferentIndex;
      const meterBefore = sequence.tokenMeter.getState();
      const started = performance.now();
      let firstTokenAt: number | null = null;
      const options = {
        ...samplingOptions(request),
        ...stops.generationOptions((text) => {
          firstTokenAt ??= performance.now();
          request.onTextChunk?.(text);
        }),
        // callers keep prompt + maxTokens within the context: no prompt token is ever dropped to make room
        contextShiftSize: 1,
      };
      const response = await (input.suffix
        ? completion.generateInfillCompletionWithMeta(input.prefix, input.suffix, options)
        : completion.generateCompletionWithMeta(input.prefix, options)
      ).catch((error: unknown) => {
        if (stops.isOwnAbort(error)) return null;
        throw error;
      });
      const finished = performance.now();
      this.generationMsAverage = 0.8 * this.generationMsAverage + 0.2 * (finished - started);
      return {
        text: stops.answerText(response?.response ?? null),
        stopReason: stops.reason(response ? (STOP_REASONS[response.metadata.stopReason] ?? "eos") : null),
        promptTokens: input.sequence.length,
        reusedPromptTokens,
        completionTokens: sequence.tokenMeter.getState().usedOutputTokens - meterBefore.usedOutputTokens,
        queuedMs,
        timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
        generationMs: finished - started,
      };
    } finally {
      completion.dispose();
      stops.dispose();
      lease.release();
    }
  }

  /** Frees the chats, context, model and llama.cpp binding, children first; later calls wait for the first one. */
  dispose(): Promise<void> {
    this.disposal ??= (async () => {
      await this.pool.stopBackground();
      for (const chat of this.pool.all()) chat.dispose();
      await this.context.dispose();
      await this.model.dispose();
      await this.llama.dispose();
    })();
    return this.disposal;
  }

  /** `await using model = await LiteModel.load(…)` disposes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
