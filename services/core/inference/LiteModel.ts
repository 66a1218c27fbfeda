import { createHash } from "node:crypto";
import {
  type ChatHistoryItem,
  type ChatWrapper,
  type GbnfJsonSchema,
  getLlama,
  type Llama,
  LlamaChat,
  type LlamaChatResponse,
  LlamaCompletion,
  type LlamaContext,
  type LlamaGrammar,
  LlamaLogLevel,
  type LlamaModel,
  type LlamaText,
  resolveChatWrapper,
  type Token,
} from "node-llama-cpp";
import type { Logger } from "../../../shared/logging/logger.js";
import { markAnswers, tokensWithAnswers } from "./answerTokenPrompt.js";
import { batchFillPatchApplied } from "./batchFillPatch.js";
import { toChatHistory } from "./chatHistory.js";
import { completionBeginningToken } from "./completionBeginningToken.js";
import type { EngineInspector } from "./EngineInspector.js";
import { GenerationStops } from "./GenerationStops.js";
import { jsonSchemaGrammar } from "./grammar/jsonSchemaGrammar.js";
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
  ToolUse,
} from "./InferenceEngine.js";
import { LlamaLoadFacts, loadedCpuVariant } from "./LlamaLoadFacts.js";
import { ModelInspector } from "./ModelInspector.js";
import { rawPromptTokens } from "./rawPromptTokens.js";
import { SlotPool } from "./SlotPool.js";
import { samplingOptions } from "./samplingOptions.js";
import { type ParsedToolCall, ToolCallParser } from "./tools/ToolCallParser.js";
import { type ToolCallSyntax, toolCallSyntaxOf } from "./tools/ToolCallSyntax.js";
import { toolCallGrammar } from "./tools/toolCallGrammar.js";
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
  /**
   * llama.cpp's flash attention (default "auto", as llama-server: on for the CPU backend). On the CPU it evaluates a
   * 2,000-token prompt ~1.6× faster than without; answers differ from "off" only in floating-point rounding.
   */
  flashAttention?: "auto" | "on" | "off";
  logger?: Logger;
}

const STOP_REASONS: Record<string, StopReason> = {
  eogToken: "eos",
  stopGenerationTrigger: "eos",
  customStopTrigger: "stop_sequence",
  maxTokens: "max_tokens",
  functionCalls: "eos",
  abort: "cancelled",
};

/** Our stop reason for node-llama-cpp's. */
function stopReasonOf(reason: string): StopReason {
  return STOP_REASONS[reason] ?? "eos";
}

/** What a generation on a slot produced: its text (null: an abort of ours before any), why it ended, its tool calls. */
interface EngineAnswer {
  text: string | null;
  reason: StopReason | null;
  toolCalls?: ParsedToolCall[];
  /** The tokens it generated (without the one that ended it), where they were collected. */
  tokens?: Token[];
}

/** A prompt that carries earlier answers as the tokens the model generated, and the template's end-of-turn triggers. */
interface AnswerTokenPrompt {
  /** What the sequence holds before the first generated token. */
  tokens: Token[];
  /** The same without the beginning token LlamaCompletion adds itself. */
  input: Token[];
  templateStops: LlamaText[];
}

/** The parts of a request that choose and steer a slot, common to chat and raw completions. */
type SlotRequest = Pick<
  GenerationRequest,
  "sessionKey" | "slotChoice" | "signal" | "onTextChunk" | "stop" | "timeBudgetMs"
>;

/** How the model writes tool calls, and the grammar that forces them for one request's tools. */
interface ToolCalling {
  syntax: ToolCallSyntax;
  grammar: LlamaGrammar;
}

/** What one generation is steered by besides its sampler. */
interface TurnControls {
  stops: GenerationStops;
  onText: (text: string) => void;
  grammar: LlamaGrammar | undefined;
  tools: ToolCalling | null;
  /** The sequence's output-token meter when this generation began. */
  outputTokensBefore: number;
}

/** Runs `use` with a LlamaCompletion on the slot's sequence and frees the completion (not the sequence) after. */
async function withCompletion<T>(chat: LlamaChat, use: (completion: LlamaCompletion) => Promise<T>): Promise<T> {
  const completion = new LlamaCompletion({ contextSequence: chat.sequence });
  try {
    return await use(completion);
  } finally {
    completion.dispose();
  }
}

/** The history with text added to the model response being generated: what it wrote so far, then `text`. */
function withModelText(
  history: ChatHistoryItem[],
  before: LlamaChatResponse["fullResponse"],
  text: string,
): ChatHistoryItem[] {
  const last = history.at(-1);
  const response = last?.type === "model" ? last.response : [];
  const head = last?.type === "model" ? history.slice(0, -1) : history;
  return [...head, { type: "model", response: [...response, ...before, text] }];
}

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
  private modelInspector: ModelInspector | undefined;

  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper,
    private readonly pool: SlotPool<LlamaChat>,
    /** Names the model's tokenizer in the answer tokens a session keeps (a hash of the GGUF's tokenizer metadata). */
    readonly tokenizerId: string,
    readonly loadMs: number,
    private readonly logger: Logger | undefined,
  ) {}

  /** node-llama-cpp's binding on the CPU, its log into ours (and into `facts` while loading). */
  private static binding(options: LiteModelOptions, facts: LlamaLoadFacts): Promise<Llama> {
    const log = options.logger;
    return getLlama({
      gpu: false,
      build: "never",
      // info while loading, for the buffer sizes llama.cpp reports
      logLevel: LlamaLogLevel.info,
      maxThreads: options.threads,
      logger: (level, message) => {
        const text = message.trim();
        if (!text) return;
        facts.take(text);
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal)
          log?.error({ llama: text }, "llama.cpp error");
        else log?.debug({ llama: text }, "llama.cpp");
      },
    });
  }

  /** Loads the model and creates its context; throws node-llama-cpp's own errors (ENOENT, InvalidGgufMagicError…). */
  static async load(options: LiteModelOptions): Promise<LiteModel> {
    const started = performance.now();
    const log = options.logger;
    const facts = new LlamaLoadFacts();
    const llama = await LiteModel.binding(options, facts);
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
        flashAttention: { auto: "auto", on: true, off: false }[options.flashAttention ?? "auto"] as "auto" | boolean,
        // a batch never holds more than one output per slot (every evaluation wants the logits of its last token
        // only), so the graph's output buffer is sized for that, as llama-server's is: 300 MiB less for a
        // 150k-token vocabulary. Needs the rebuilt addon (scripts/build-addon.mjs); the prebuilt ignores it.
        outputsMax: options.parallel,
      });
      await facts.contextReported(1000);
      llama.logLevel = LlamaLogLevel.warn; // what llama.cpp says from here on is warnings and errors
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
      const tokenizerId = createHash("sha256")
        .update(JSON.stringify(model.fileInfo.metadata.tokenizer ?? null))
        .digest("hex")
        .slice(0, 16);
      const loadMs = Math.round(performance.now() - started);
      engine = new LiteModel(llama, model, context, chatWrapper, pool, tokenizerId, loadMs, log);
      engine.reportReady(options, facts);
      return engine;
    } catch (error) {
      await llama.dispose();
      throw error;
    }
  }

  /** The model-ready log line: what runs the model, and how (an operator's first question when it is slow). */
  private reportReady(options: LiteModelOptions, facts: LlamaLoadFacts): void {
    const batchFilled = batchFillPatchApplied();
    if (!batchFilled)
      this.logger?.warn(
        "node-llama-cpp runs without the batch-fill patch (installed with --ignore-scripts?): concurrent sessions decode slower",
      );
    const nativeFacts = this.nativeAddon;
    if (!nativeFacts)
      this.logger?.warn(
        "node-llama-cpp's prebuilt addon is loaded, not the one npm ci builds (scripts/build-addon.mjs needs g++ and git): " +
          "decode with 2+ threads is slower and the compute buffer is sized for a whole batch of outputs",
      );
    this.logger?.info(
      {
        model: options.modelPath,
        load_ms: this.loadMs,
        context_size: this.context.contextSize,
        sequences: options.parallel,
        threads: options.threads,
        flash_attention: this.context.flashAttention,
        chat_wrapper: this.chatWrapper.wrapperName,
        // "prebuilt" (the binding's own binaries) or "localBuild" (npm run engine:build)
        engine_build: this.llama.buildType,
        cpu_variant: loadedCpuVariant(),
        batch_fill_patch: batchFilled,
        // the addon npm ci rebuilds: outputs one batch may hold, threads of the context's persistent threadpool
        native_addon: nativeFacts
          ? { outputs_max: nativeFacts.outputsMax, threadpool_threads: nativeFacts.threadpoolThreads }
          : "prebuilt",
        buffers_mib: facts.buffersMiB,
        train_context: this.model.trainContextSize,
      },
      "model ready",
    );
  }

  /**
   * What the addon npm ci rebuilds (scripts/build-addon.mjs) reports of the context: the outputs one batch may hold and
   * the threads of its persistent CPU threadpool; null when node-llama-cpp's prebuilt addon is loaded instead.
   */
  get nativeAddon(): ReturnType<LlamaContext["gaiaNativeFacts"]> {
    return this.context.gaiaNativeFacts();
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
    const carried = request.tools ? null : this.answerTokenPrompt(request.messages);
    if (carried && carried.tokens.length + request.maxTokens <= this.context.contextSize)
      return this.continueFromTokens(request, carried);
    const history = this.historyFor(request);
    const promptTokens = this.tokenize(history);
    const grammar = request.responseFormat ? await this.grammarFor(request.responseFormat) : undefined;
    const tools = request.tools ? await this.toolCallingFor(request.tools) : null;
    const thoughtSegments = Boolean(this.chatWrapper.settings.segments?.thought);
    return this.onSlot(request, promptTokens, thoughtSegments, (chat, stops, onText, outputTokensBefore) =>
      this.respond(chat, history, request, { stops, onText, grammar, tools, outputTokensBefore }),
    );
  }

  /**
   * Runs one generation on a slot: waits for it (the session's own, or the one holding the longest cached prefix of
   * `promptTokens`), times it, and reports the engine's figures (queue wait, reused prompt tokens, output tokens, time
   * to first token). `work` writes the answer through `onText`; what stopped it is settled by `stops`.
   */
  private async onSlot(
    request: SlotRequest,
    promptTokens: Token[],
    thoughtSegments: boolean,
    work: (
      chat: LlamaChat,
      stops: GenerationStops,
      onText: (text: string) => void,
      outputTokensBefore: number,
    ) => Promise<EngineAnswer>,
  ): Promise<GenerationResult> {
    const queuedAt = performance.now();
    const lease = await this.pool.acquire(
      request.sessionKey,
      request.signal,
      request.slotChoice === "longest_prefix"
        ? (slot) => slot.sequence.compareContextTokens(promptTokens).firstDifferentIndex
        : undefined,
    );
    const queuedMs = performance.now() - queuedAt;
    const chat = lease.slot;
    const stops = new GenerationStops(request, thoughtSegments);
    try {
      const reusedPromptTokens = chat.sequence.compareContextTokens(promptTokens).firstDifferentIndex;
      const outputTokensBefore = chat.sequence.tokenMeter.getState().usedOutputTokens;
      const started = performance.now();
      let firstTokenAt: number | null = null;
      const onText = (text: string) => {
        firstTokenAt ??= performance.now();
        request.onTextChunk?.(text);
      };
      const answer = await work(chat, stops, onText, outputTokensBefore);
      const tail = stops.end();
      if (tail) onText(tail);
      const finished = performance.now();
      this.generationMsAverage = 0.8 * this.generationMsAverage + 0.2 * (finished - started);
      const text = stops.answerText(answer.text);
      return {
        text,
        ...this.answerTokensOf(answer.tokens, text),
        ...(answer.toolCalls ? { toolCalls: answer.toolCalls } : {}),
        stopReason: stops.reason(answer.reason),
        promptTokens: promptTokens.length,
        reusedPromptTokens,
        completionTokens: chat.sequence.tokenMeter.getState().usedOutputTokens - outputTokensBefore,
        queuedMs,
        timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
        generationMs: finished - started,
      };
    } finally {
      stops.dispose();
      lease.release();
    }
  }

  /**
   * The request's chat history, with the offered tools documented in the template's own way (a system message). A
   * thought budget of 0 on a wrapper that parses thoughts opens the answer with an empty, closed thought, as
   * node-llama-cpp's "discourage thoughts" does (Qwen3's `enable_thinking: false` renders the same).
   */
  private historyFor(request: Pick<GenerationRequest, "messages" | "tools" | "thoughtBudget">): ChatHistoryItem[] {
    const history = toChatHistory(request.messages);
    const last = history.at(-1);
    if (request.thoughtBudget === 0 && this.chatWrapper.settings.segments?.thought && last?.type === "model")
      if (last.response.length === 0)
        last.response.push({ type: "segment", segmentType: "thought", text: "", ended: true });
    if (!request.tools) return history;
    const functions = Object.fromEntries(
      request.tools.tools.map((t) => [
        t.name,
        { ...(t.description ? { description: t.description } : {}), params: t.parameters as GbnfJsonSchema },
      ]),
    );
    return [
      ...this.chatWrapper.addAvailableFunctionsSystemMessageToHistory(history, functions, { documentParams: true }),
    ];
  }

  /**
   * Generates the answer: free text (stopping where the model opens a tool call, when tools are offered), then, when
   * the model opened a call or the request forces one, the calls under the tool-call grammar.
   */
  private async respond(
    chat: LlamaChat,
    history: ChatHistoryItem[],
    request: GenerationRequest,
    turn: TurnControls,
  ): Promise<EngineAnswer> {
    const { stops, tools } = turn;
    if (tools && request.tools?.choice !== "auto") return this.callTools(chat, history, [], request, turn);
    const generated: Token[] = [];
    const response = await stops.unlessOwnAbort(
      chat.generateResponse(history, {
        ...samplingOptions(request),
        onToken: (tokens) => generated.push(...tokens),
        ...(turn.grammar ? { grammar: turn.grammar } : {}),
        ...stops.generationOptions(turn.onText, tools ? [tools.syntax.trigger] : []),
        ...(request.thoughtBudget !== undefined ? { budgets: { thoughtTokens: request.thoughtBudget } } : {}),
        onResponseChunk: (chunk) => {
          if (chunk.type === "segment" && chunk.segmentType === "thought" && chunk.text)
            request.onReasoningChunk?.(chunk.text);
        },
      }),
    );
    if (!response) return { text: null, reason: null };
    const { metadata } = response;
    const opened =
      tools &&
      metadata.stopReason === "customStopTrigger" &&
      this.textOf(metadata.customStopTrigger) === tools.syntax.trigger;
    if (!opened) return { text: response.response, reason: stopReasonOf(metadata.stopReason), tokens: generated };
    const called = await this.callTools(chat, history, response.fullResponse, request, turn);
    return { ...called, text: response.response };
  }

  /**
   * The prompt with this model's earlier answers as the tokens it generated; null when no message carries them, or the
   * template parses thoughts (it renders past answers without their reasoning, which the kept tokens include), or it
   * rewrote an answer's text, or LlamaCompletion would begin the input differently (its own BOS): then text renders.
   */
  private answerTokenPrompt(messages: readonly PromptMessage[]): AnswerTokenPrompt | null {
    if (this.chatWrapper.settings.segments?.thought) return null;
    const marked = markAnswers(messages, this.tokenizerId);
    if (!marked) return null;
    const state = this.chatWrapper.generateContextState({ chatHistory: toChatHistory(marked.messages) });
    const tokens = tokensWithAnswers(state.contextText, marked.answers, this.model.tokenizer);
    const begin = completionBeginningToken(this.model);
    if (!tokens || (begin !== null && tokens[0] !== begin)) return null;
    return { tokens, input: begin === null ? tokens : tokens.slice(1), templateStops: state.stopGenerationTriggers };
  }

  /**
   * A chat turn from exact prompt tokens: node-llama-cpp's LlamaChat only takes text, so the template's rendering (with
   * the kept answer tokens spliced in) is generated from by LlamaCompletion on the same slot, stopping where the template
   * ends the model's turn. The KV cache then matches up to the end of the last answer, whatever its text re-tokenizes to.
   */
  private async continueFromTokens(request: GenerationRequest, prompt: AnswerTokenPrompt): Promise<GenerationResult> {
    const grammar = request.responseFormat ? await this.grammarFor(request.responseFormat) : undefined;
    return this.onSlot(request, prompt.tokens, false, (chat, stops, onText) =>
      withCompletion(chat, async (completion) => {
        const generated: Token[] = [];
        const response = await stops.unlessOwnAbort(
          completion.generateCompletionWithMeta(prompt.input, {
            ...samplingOptions(request),
            ...(grammar ? { grammar } : {}),
            ...stops.generationOptions(onText, prompt.templateStops),
            onToken: (tokens) => generated.push(...tokens),
            // the caller checked that prompt + maxTokens fit: no prompt token is ever dropped to make room
            contextShiftSize: 1,
          }),
        );
        if (!response) return { text: null, reason: null };
        const { metadata } = response;
        // a trigger that is no stop string of the client's is the template's end of the model's turn
        const trigger = metadata.stopReason === "customStopTrigger" ? this.textOf(metadata.customStopTrigger) : null;
        const reason = trigger !== null && !request.stop?.includes(trigger) ? "eos" : stopReasonOf(metadata.stopReason);
        return { text: response.response, reason, tokens: generated };
      }),
    );
  }

  /** The answer's tokens for the session to keep, when the answer is exactly their text. */
  private answerTokensOf(tokens: Token[] | undefined, text: string): Pick<GenerationResult, "answerTokens"> {
    if (!tokens?.length || this.model.detokenize(tokens) !== text) return {};
    return { answerTokens: { tokenizer: this.tokenizerId, ids: tokens } };
  }

  /** The tool calls, written under the grammar after the call prefix; what came before them stays in the answer. */
  private async callTools(
    chat: LlamaChat,
    history: ChatHistoryItem[],
    before: LlamaChatResponse["fullResponse"],
    request: GenerationRequest,
    turn: TurnControls,
  ): Promise<EngineAnswer> {
    const tools = turn.tools;
    if (!tools || !request.tools) return { text: "", reason: "eos", toolCalls: [] };
    const parser = new ToolCallParser(
      tools.syntax,
      request.tools.tools.map((t) => t.name),
    );
    const onText = (text: string) => {
      for (const event of parser.push(text)) request.onToolCallEvent?.(event);
    };
    // the calls get what the free text before them left of max_tokens
    const used = chat.sequence.tokenMeter.getState().usedOutputTokens - turn.outputTokensBefore;
    const response = await turn.stops.unlessOwnAbort(
      chat.generateResponse(withModelText(history, before, tools.syntax.prefix), {
        ...samplingOptions(request),
        maxTokens: Math.max(1, request.maxTokens - used),
        grammar: tools.grammar,
        ...turn.stops.generationOptions(onText, [], { clientStops: false }),
      }),
    );
    const toolCalls = parser.finish();
    const reason = toolCalls.length > 0 ? "tool_calls" : response ? stopReasonOf(response.metadata.stopReason) : null;
    return { text: "", reason, toolCalls };
  }

  /** The text of a stop trigger node-llama-cpp reports (strings and tokens). */
  private textOf(trigger: readonly (string | Token)[]): string {
    return trigger.map((part) => (typeof part === "string" ? part : this.model.detokenize([part], true))).join("");
  }

  /** The tool-call syntax of the model's template and the grammar for these tools (cached: agents repeat them). */
  private async toolCallingFor(use: ToolUse): Promise<ToolCalling> {
    const syntax = toolCallSyntaxOf(this.chatWrapper);
    const tools =
      typeof use.choice === "object"
        ? use.tools.filter((t) => t.name === (use.choice as { name: string }).name)
        : use.tools;
    const gbnf = toolCallGrammar(syntax, tools, use.parallel);
    let grammar = this.grammars.get(gbnf);
    if (!grammar) {
      grammar = await this.llama.createGrammar({ grammar: gbnf });
      if (this.grammars.size >= 32) this.grammars.delete(this.grammars.keys().next().value ?? "");
      this.grammars.set(gbnf, grammar);
    }
    return { syntax, grammar };
  }

  /** The grammar for the format; schema grammars are cached by their JSON text (clients repeat them). */
  private async grammarFor(format: ResponseFormat): Promise<LlamaGrammar> {
    // any failure here, a schema too deep to walk included, is the schema's: never an exception of ours
    try {
      const key = format.type === "json_object" ? "json" : JSON.stringify(format.schema);
      const cached = this.grammars.get(key);
      if (cached) return cached;
      // a schema goes through our own converter, which (unlike node-llama-cpp's) enforces numeric ranges
      const grammar =
        format.type === "json_object"
          ? await this.llama.getGrammarFor("json")
          : await this.llama.createGrammar({ grammar: jsonSchemaGrammar(format.schema) });
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
    const render = (next: string) => this.promptTokensOf([...conversation, { role: "user", content: next }]);
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

  /** The tokens a prompt of these messages begins the model at: with kept answer tokens where they apply. */
  private promptTokensOf(messages: readonly PromptMessage[]): Token[] {
    return this.answerTokenPrompt(messages)?.tokens ?? this.tokenize(toChatHistory(messages));
  }

  /** Seconds a client should wait before retrying when the queue is full: roughly one queue's worth of turns. */
  private retryAfterSeconds(): number {
    const { waiting, slots } = this.pool.load();
    return Math.max(1, Math.ceil((this.generationMsAverage * (waiting / slots + 1)) / 1000));
  }

  /** The ops endpoints' view of this model (tokenizer, template, slots). */
  get inspector(): EngineInspector {
    this.modelInspector ??= new ModelInspector(this.llama, this.model, this.chatWrapper, this.pool, (messages) =>
      this.tokenize(toChatHistory(messages)),
    );
    return this.modelInspector;
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
    const input = rawPromptTokens(this.model, request, this.modelName ?? "this model");
    return this.onSlot(request, input.sequence, false, (chat, stops, onText) =>
      withCompletion(chat, async (completion) => {
        const options = {
          ...samplingOptions(request),
          ...stops.generationOptions(onText),
          // callers keep prompt + maxTokens within the context: no prompt token is ever dropped to make room
          contextShiftSize: 1,
        };
        const response = await stops.unlessOwnAbort(
          input.suffix
            ? completion.generateInfillCompletionWithMeta(input.prefix, input.suffix, options)
            : completion.generateCompletionWithMeta(input.prefix, options),
        );
        return response
          ? { text: response.response, reason: stopReasonOf(response.metadata.stopReason) }
          : { text: null, reason: null };
      }),
    );
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
