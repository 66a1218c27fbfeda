import { samplingOptions } from "../services/core/inference/samplingOptions.js";
import { describeContext } from "../services/core/prompt/describeContext.js";
import { describePersona } from "../services/core/prompt/describePersona.js";
import { renderPrompt } from "../services/core/prompt/renderPrompt.js";
import type { SessionTurn } from "../services/core/sessions/SessionStore.js";
import type { CognitionPacket } from "../shared/packet/index.js";
import { type BenchTurn, benchPacket } from "./benchPacket.js";
import { CoreProcess } from "./CoreProcess.js";
import { type EngineFacts, gaiaEngineFacts, loadedVariant, parseBufferSizes } from "./engineFacts.js";
import { LlamaServerProcess } from "./LlamaServerProcess.js";
import { postTimedTurn, readTimedStream, type TimedTurn } from "./ndjsonTurn.js";

/** One server under test, driven with the same conversations: gaia-core, or llama.cpp's llama-server. */
export interface PeerTarget {
  readonly name: "gaia-core" | "llama-server";
  /** A streamed turn with client-side arrival times. */
  streamTurn(turn: BenchTurn): Promise<TimedTurn>;
  /** A turn answered as one JSON document: send → whole body parsed, in ms. */
  roundTrip(turn: BenchTurn): Promise<number>;
  peakRssBytes(): number | null;
  /** The CPU variant and buffers its engine runs on (read once it is ready). */
  engine(): EngineFacts;
  stop(): Promise<void>;
}

export interface PeerServerSettings {
  modelPath: string;
  threads: number;
  /** Slots: gaia-core's GAIA_PARALLEL, llama-server's -np. */
  parallel: number;
  /** Tokens per slot. */
  contextSize: number;
  batchSize: number;
  /** This side's ggml CPU variant files to hide (its pin); empty: it loads its own best variant. */
  hideVariantFiles: readonly string[];
}

/** The sampler gaia-core applies to every packet (samplingOptions: llama.cpp's defaults), in llama-server's fields. */
const SAMPLER = (() => {
  const { topK, minP, repeatPenalty } = samplingOptions({ maxTokens: 1, temperature: 1 });
  return { top_k: topK, min_p: minP, repeat_penalty: repeatPenalty.penalty, repeat_last_n: repeatPenalty.lastTokens };
})();
/** gaia-core's top_p when a packet leaves it unset, as the bench's packets do. */
const DEFAULT_TOP_P = 0.95;

export class GaiaTarget implements PeerTarget {
  readonly name = "gaia-core";
  private constructor(private readonly core: CoreProcess) {}

  static async start(settings: PeerServerSettings): Promise<GaiaTarget> {
    const core = await CoreProcess.start({
      entry: "dist/services/core/main.js",
      env: {
        GAIA_LITE_MODEL: settings.modelPath,
        GAIA_THREADS: String(settings.threads),
        GAIA_PARALLEL: String(settings.parallel),
        GAIA_CONTEXT_SIZE: String(settings.contextSize),
        GAIA_QUEUE_SIZE: "64",
        GAIA_MAX_TOKENS_CAP: "1024",
        // the "model ready" line (info) carries the CPU variant and buffers; the core logs nothing per packet at info
        LOG_LEVEL: "info",
      },
      hideVariantFiles: settings.hideVariantFiles,
    });
    return new GaiaTarget(core);
  }

  streamTurn(turn: BenchTurn): Promise<TimedTurn> {
    return postTimedTurn(this.core.url, benchPacket(turn));
  }

  async roundTrip(turn: BenchTurn): Promise<number> {
    const sentAt = performance.now();
    const res = await fetch(`${this.core.url}/process_packet`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(benchPacket(turn)),
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`gaia-core round trip: HTTP ${res.status} ${JSON.stringify(body)}`);
    return performance.now() - sentAt;
  }

  peakRssBytes(): number | null {
    return this.core.peakRssBytes();
  }

  engine(): EngineFacts {
    return gaiaEngineFacts(this.core.modelReady, this.core.pid);
  }

  stop(): Promise<void> {
    return this.core.stop();
  }
}

interface ChatChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  timings?: { prompt_n?: number; cache_n?: number; predicted_n?: number };
  usage?: { completion_tokens?: number };
}

/**
 * llama-server fed what gaia-core would feed its model for the same packets: the system message and user message
 * built by gaia-core's own prompt code, and the session's earlier turns (kept here, as a client of an OpenAI-style API
 * keeps them), through /v1/chat/completions with the same sampler and seed.
 */
export class LlamaServerTarget implements PeerTarget {
  readonly name = "llama-server";
  private readonly sessions = new Map<string, SessionTurn[]>();
  private constructor(private readonly server: LlamaServerProcess) {}

  static async start(binary: string, settings: PeerServerSettings): Promise<LlamaServerTarget> {
    return new LlamaServerTarget(await LlamaServerProcess.start({ binary, ...settings }));
  }

  private request(turn: BenchTurn, stream: boolean): { packet: CognitionPacket; body: string } {
    const packet = benchPacket(turn);
    const history = this.sessions.get(turn.sessionId) ?? [];
    const messages = renderPrompt({
      system: describePersona(packet),
      history,
      recalled: [],
      contextBlocks: describeContext(packet, null),
      userText: packet.content.original_prompt,
    });
    const body = JSON.stringify({
      messages,
      max_tokens: turn.maxTokens,
      temperature: packet.header.model.temperature,
      top_p: packet.header.model.top_p ?? DEFAULT_TOP_P,
      seed: packet.header.model.seed,
      ...SAMPLER,
      stream,
    });
    return { packet, body };
  }

  private remember(turn: BenchTurn, answer: string): void {
    const turns = this.sessions.get(turn.sessionId) ?? [];
    turns.push({
      packetId: turn.packetId,
      sessionId: turn.sessionId,
      at: new Date().toISOString(),
      user: turn.prompt,
      assistant: answer,
    });
    this.sessions.set(turn.sessionId, turns);
  }

  async streamTurn(turn: BenchTurn): Promise<TimedTurn> {
    const { body } = this.request(turn, true);
    const sentAt = performance.now();
    const res = await fetch(`${this.server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    const timed = await readTimedStream(res, sentAt, (line, at, into) => {
      if (!line.startsWith("data: ")) return;
      const data = line.slice(6).trim();
      if (data === "[DONE]") return;
      const chunk = JSON.parse(data) as ChatChunk;
      const choice = chunk.choices?.[0];
      const text = choice?.delta?.content;
      if (text) {
        into.firstTokenAt ??= at;
        into.lastTokenAt = at;
        into.answer += text;
      }
      if (choice?.finish_reason) {
        into.flushAt ??= at;
        into.stop = choice.finish_reason;
      }
      if (chunk.timings) {
        into.promptTokens = (chunk.timings.prompt_n ?? 0) + (chunk.timings.cache_n ?? 0);
        into.kvReusedTokens = chunk.timings.cache_n ?? 0;
        into.completionTokens = chunk.timings.predicted_n ?? into.completionTokens;
      }
    });
    this.remember(turn, timed.answer);
    return timed;
  }

  async roundTrip(turn: BenchTurn): Promise<number> {
    const { body } = this.request(turn, false);
    const sentAt = performance.now();
    const res = await fetch(`${this.server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    const answer = (await res.json()) as { choices?: { message?: { content?: string } }[] };
    if (res.status !== 200) throw new Error(`llama-server round trip: HTTP ${res.status} ${JSON.stringify(answer)}`);
    const elapsed = performance.now() - sentAt;
    this.remember(turn, answer.choices?.[0]?.message?.content ?? "");
    return elapsed;
  }

  peakRssBytes(): number | null {
    return this.server.peakRssBytes();
  }

  engine(): EngineFacts {
    return { variant: loadedVariant(this.server.pid), buffers: parseBufferSizes(this.server.startupLog) };
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
