import type { Logger } from "../../../shared/logging/logger.js";
import type { CognitionPacket } from "../../../shared/packet/index.js";
import { type GeneratedAnswer, generateAnswer } from "../generation/generateAnswer.js";
import type { ChosenHistory, HistorySelector } from "../history/HistorySelector.js";
import type { InferenceEngine } from "../inference/InferenceEngine.js";
import { describeContext } from "../prompt/describeContext.js";
import { describePersona } from "../prompt/describePersona.js";
import { type FittedPrompt, fitToBudget } from "../prompt/fitToBudget.js";
import { renderPrompt } from "../prompt/renderPrompt.js";
import type { SessionStore, SessionTurn } from "../sessions/SessionStore.js";
import { SessionStoreUnavailableError } from "../sessions/SessionStoreUnavailableError.js";
import type { RoutedTools, ToolRouter } from "../tools/ToolRouter.js";
import { storedRecord } from "../tools/ToolRoutingRecord.js";
import { ClientClosedError } from "./ClientClosedError.js";
import type { TurnObserver, TurnOutcome } from "./TurnOutcome.js";

export interface CognitionPipelineOptions {
  engine: InferenceEngine;
  store: SessionStore;
  history: HistorySelector;
  /** MCP tool routing; absent when MCP_ENDPOINT is not set. */
  tools?: ToolRouter | null;
  /** Upper bound on generated tokens, whatever the packet asks. */
  maxTokensCap: number;
  logger?: Logger;
  /** Told about every generation (metrics). */
  observer?: TurnObserver;
}

export interface TurnOptions {
  /** Aborted when the client disconnects: generation stops and nothing is stored. */
  signal?: AbortSignal;
  /** Visible answer text as it is generated (NDJSON streaming). */
  onToken?: (text: string) => void;
}

/** Defaults for generation settings a packet leaves null: the original's effective final-answer values. */
const DEFAULT_TEMPERATURE = 0.2;
const DEFAULT_TOP_P = 0.95;

/**
 * One packet's way through core, top to bottom:
 * remember (claim the packet_id and load the session; a re-sent packet_id replays its stored answer) → assemble
 * (route tools, then persona, chosen history, client context, tool result; fitted to the token budget) → infer (lite
 * model, streamed) → clean (hidden reasoning removed) → save the turn (with what routing decided, for replays).
 * Validation happens before (route), filling the packet after (completePacket).
 */
export class CognitionPipeline {
  constructor(private readonly options: CognitionPipelineOptions) {}

  /**
   * Answers one packet. The packet_id is claimed before any inference, so a packet that arrives twice at once is
   * answered once, also when the copies reach different replicas of a shared store: the other copies wait on the claim
   * and replay the stored answer. The claim is released however the turn ends (stored, cancelled, failed), so a waiting
   * copy whose first copy stored nothing (its client left, a fault) answers it itself.
   */
  async run(packet: CognitionPacket, turn: TurnOptions = {}): Promise<TurnOutcome> {
    const claim = await this.options.store.claim(
      packet.header.session_id,
      packet.header.packet_id,
      turn.signal ? { signal: turn.signal } : {},
    );
    if (claim.kind === "answered") {
      turn.onToken?.(claim.turn.assistant.trim());
      return replayOf(claim.turn);
    }
    try {
      return await this.answerClaimed(packet, turn);
    } finally {
      await claim.release();
    }
  }

  private async answerClaimed(packet: CognitionPacket, turn: TurnOptions): Promise<TurnOutcome> {
    const turns = await this.remember(packet);
    const previous = turns.find((t) => t.packetId === packet.header.packet_id);
    if (previous) {
      turn.onToken?.(previous.assistant.trim());
      return replayOf(previous);
    }
    const budget = packet.context.constraints.time_budget_ms;
    // routing's model calls and the answer share the packet's time budget
    const deadline = budget > 0 ? performance.now() + budget : null;
    const prompt = await this.assemble(packet, turns, turn, deadline);
    const generated = await this.infer(packet, prompt, turn, deadline);
    return this.save(packet, prompt, generated, turn);
  }

  /** The session's turns so far; throws when the store could not take this turn (that would waste the generation). */
  private async remember(packet: CognitionPacket): Promise<SessionTurn[]> {
    const { store } = this.options;
    const turns = await store.load(packet.header.session_id);
    const storeHealth = store.health();
    if (!storeHealth.writable && !turns.some((t) => t.packetId === packet.header.packet_id)) {
      throw new SessionStoreUnavailableError(
        storeHealth.store ?? "session store",
        storeHealth.reason ?? "not writable",
      );
    }
    return turns;
  }

  /** Route tools (the result goes into the prompt), then persona, chosen history and client context, fitted to the budget. */
  private async assemble(
    packet: CognitionPacket,
    turns: SessionTurn[],
    turn: TurnOptions,
    deadline: number | null,
  ): Promise<AssembledPrompt> {
    const { engine, history, tools } = this.options;
    const userText = packet.content.original_prompt;
    const limits = { ...(turn.signal ? { signal: turn.signal } : {}), ...(deadline !== null ? { deadline } : {}) };
    const routed: RoutedTools = tools ? await tools.route(packet, limits) : { availableTools: null, record: null };
    const chosen = await history.choose(turns, userText);
    const maxTokens = this.maxTokensFor(packet);
    const fitted = fitToBudget(
      {
        system: describePersona(packet),
        history: chosen.history,
        recalled: chosen.recalled,
        contextBlocks: describeContext(packet, routed.record?.injected ?? null),
        userText,
      },
      { contextSize: engine.contextSize, maxTokens, countTokens: (m) => engine.countTokens(m) },
    );
    return { availableTools: routed.availableTools, toolRouting: routed.record, chosen, maxTokens, fitted };
  }

  /** The lite model's answer through the shared generation step, with the packet's sampler, stops and time budget. */
  private infer(
    packet: CognitionPacket,
    prompt: AssembledPrompt,
    turn: TurnOptions,
    deadline: number | null,
  ): Promise<GeneratedAnswer> {
    const { model } = packet.header;
    return generateAnswer(
      { engine: this.options.engine, observer: this.options.observer, historyMode: prompt.chosen.mode },
      {
        sessionKey: packet.header.session_id,
        messages: prompt.fitted.messages,
        maxTokens: prompt.maxTokens,
        temperature: model.temperature ?? DEFAULT_TEMPERATURE,
        topP: model.top_p ?? DEFAULT_TOP_P,
        ...(model.seed !== null && model.seed !== undefined ? { seed: model.seed } : {}),
        stop: model.stop,
        ...(deadline !== null ? { timeBudgetMs: Math.max(1, deadline - performance.now()) } : {}),
        ...(turn.signal ? { signal: turn.signal } : {}),
        ...(turn.onToken ? { onVisibleText: turn.onToken } : {}),
      },
    );
  }

  /**
   * Stores the turn (a client that left gets nothing stored: a gateway that gave up on a frozen core re-sent the packet
   * to its peer, whose answer is the one that counts; the store checks once more just before it writes), then prepares
   * the session's next prompt in its KV cache while the user reads the answer.
   */
  private async save(
    packet: CognitionPacket,
    prompt: AssembledPrompt,
    generated: GeneratedAnswer,
    turn: TurnOptions,
  ): Promise<TurnOutcome> {
    const { store, history, engine } = this.options;
    const sessionId = packet.header.session_id;
    const userText = packet.content.original_prompt;
    const outcome = outcomeOf(prompt, generated);
    const vector = await history.vectorFor({ user: userText, assistant: generated.answer });
    if (turn.signal?.aborted) throw new ClientClosedError();
    const { duplicate, stored } = await store
      .appendTurn(
        {
          packetId: packet.header.packet_id,
          sessionId,
          at: new Date().toISOString(),
          user: userText,
          // untrimmed, so the next prompt renders the answer exactly as generated and its KV cache still matches
          assistant: generated.visibleText,
          // the generated tokens, so the next prompt carries this answer without evaluating it again
          ...(generated.answerTokens && generated.visibleText === generated.text
            ? { answerTokens: generated.answerTokens }
            : {}),
          ...(vector ? { vector } : {}),
          meta: {
            outcome: storedMeta(outcome),
            ...(outcome.toolRouting ? { tool_routing: outcome.toolRouting } : {}),
          },
        },
        turn.signal ? { signal: turn.signal } : {},
      )
      .catch((error: unknown) => {
        throw turn.signal?.aborted ? new ClientClosedError() : error;
      });
    if (duplicate) return replayOf(stored);
    const { parts } = prompt.fitted;
    const nextPrompt = renderPrompt({ ...parts, history: [...parts.history, stored], recalled: [], contextBlocks: [] });
    engine.prepareNextTurn?.(sessionId, nextPrompt.slice(0, -1));
    return outcome;
  }

  /** Answer length: the packet's constraints and model limit, capped by config, and always leaving room for a prompt. */
  private maxTokensFor(packet: CognitionPacket): number {
    const asked = [packet.context.constraints.max_tokens, packet.header.model.max_output_tokens].filter(
      (n): n is number => typeof n === "number" && n > 0,
    );
    const limit = Math.min(this.options.maxTokensCap, Math.floor(this.options.engine.contextSize / 2), ...asked);
    return Math.max(1, limit);
  }
}

/** What assemble() built: the fitted prompt and what went into it. */
interface AssembledPrompt extends Pick<TurnOutcome, "availableTools" | "toolRouting"> {
  chosen: ChosenHistory;
  maxTokens: number;
  fitted: FittedPrompt;
}

function outcomeOf(prompt: AssembledPrompt, generated: GeneratedAnswer): TurnOutcome {
  const { chosen, fitted } = prompt;
  return {
    answer: generated.answer,
    stopReason: generated.stopReason,
    promptTokens: generated.promptTokens,
    reusedPromptTokens: generated.reusedPromptTokens,
    completionTokens: generated.completionTokens,
    historyMode: chosen.mode,
    historyModeReason: chosen.reason,
    turnsVerbatim: fitted.parts.history.length,
    recalled: fitted.parts.recalled,
    droppedForBudget: fitted.droppedHistory + fitted.droppedRecalled,
    maxTokens: prompt.maxTokens,
    timeToFirstTokenMs: generated.timeToFirstTokenMs,
    generationMs: generated.generationMs,
    queuedMs: generated.queuedMs,
    replayed: false,
    availableTools: prompt.availableTools,
    toolRouting: prompt.toolRouting,
  };
}

/** The parts of an outcome stored with the turn, so a re-sent packet gets the same metrics back. */
function storedMeta(outcome: TurnOutcome) {
  return {
    stop_reason: outcome.stopReason,
    prompt_tokens: outcome.promptTokens,
    completion_tokens: outcome.completionTokens,
    history_mode: outcome.historyMode,
    max_tokens: outcome.maxTokens,
  };
}

/** The outcome of a packet_id answered before: the stored answer, no inference. */
function replayOf(turn: SessionTurn): TurnOutcome {
  const meta = (turn.meta?.outcome ?? {}) as Partial<ReturnType<typeof storedMeta>>;
  return {
    answer: turn.assistant.trim(),
    stopReason: meta.stop_reason ?? "eos",
    promptTokens: meta.prompt_tokens ?? 0,
    reusedPromptTokens: 0,
    completionTokens: meta.completion_tokens ?? 0,
    historyMode: meta.history_mode ?? "full",
    historyModeReason: null,
    turnsVerbatim: 0,
    recalled: [],
    droppedForBudget: 0,
    maxTokens: meta.max_tokens ?? 0,
    timeToFirstTokenMs: null,
    generationMs: 0,
    queuedMs: 0,
    replayed: true,
    availableTools: null,
    // what routing decided and ran, never run again
    toolRouting: storedRecord(turn.meta?.tool_routing),
  };
}
