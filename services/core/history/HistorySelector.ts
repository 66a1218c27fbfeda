import type { Logger } from "../../../shared/logging/logger.js";
import type { RecalledTurn } from "../prompt/PromptParts.js";
import type { SessionStore, SessionTurn } from "../sessions/SessionStore.js";
import type { Embedder } from "./embedder/Embedder.js";
import { selectRelevantTurns } from "./selectRelevantTurns.js";

/** How the prompt's history is chosen: by similarity (an embedding model works) or the whole session. */
export type HistoryMode = "semantic" | "full";

export interface HistorySelectorOptions {
  /** The loaded embedder, or null with the reason it is unavailable (full-history mode). */
  embedder: Embedder | null;
  fullModeReason: string | null;
  store: SessionStore;
  /** Turns kept verbatim in semantic mode. */
  recentTurns: number;
  /** Older turns recalled by similarity in semantic mode. */
  recallTopK: number;
  minSimilarity: number;
  /** Turns whose missing vectors are computed per request (sessions written in full mode). */
  backfillPerRequest?: number;
  /** Consecutive run-time embedding failures after which the service switches to full mode for good. */
  failuresBeforeFullMode?: number;
  logger?: Logger;
}

/** The history a prompt gets, and how it was chosen. */
export interface ChosenHistory {
  mode: HistoryMode;
  /** Why this request used full mode (model unavailable, or embedding failed now); null in semantic mode. */
  reason: string | null;
  history: SessionTurn[];
  recalled: RecalledTurn[];
}

/** Text embedded for a turn, as the original's session indexer did. */
const turnText = (turn: Pick<SessionTurn, "user" | "assistant">) =>
  `User: ${turn.user.slice(0, 1000)}\nAssistant: ${turn.assistant.slice(0, 500)}`;

/**
 * Chooses the history for a prompt. Semantic mode: the last `recentTurns` verbatim plus the `recallTopK` most similar
 * older turns. Full mode (no usable embedding model, or embedding failing now): the whole session, and the budget
 * keeps the newest. An embedding failure never fails the turn: that request falls back to full mode and the
 * failure is logged once per distinct message.
 */
export class HistorySelector {
  private embedder: Embedder | null;
  private fullModeReason: string | null;
  private consecutiveFailures = 0;
  private readonly loggedFailures = new Set<string>();

  constructor(private readonly options: HistorySelectorOptions) {
    this.embedder = options.embedder;
    this.fullModeReason = options.embedder ? null : (options.fullModeReason ?? "no embedding model");
  }

  /** The service-wide mode, as /health reports it. */
  get mode(): HistoryMode {
    return this.embedder ? "semantic" : "full";
  }

  /** Why the service is in full mode (null in semantic mode). */
  get reason(): string | null {
    return this.fullModeReason;
  }

  /** Releases the embedding model. */
  async dispose(): Promise<void> {
    await this.embedder?.dispose();
  }

  async choose(turns: readonly SessionTurn[], userText: string): Promise<ChosenHistory> {
    const usable = turns.filter((t) => t.assistant.trim() !== "");
    if (!this.embedder) return { mode: "full", reason: this.fullModeReason, history: usable, recalled: [] };
    const older = usable.slice(0, Math.max(0, usable.length - this.options.recentTurns));
    try {
      await this.backfill(older);
      const [query] = await this.embedder.embed([userText]);
      this.succeeded();
      const selection = selectRelevantTurns({
        turns: usable.map((t) => ({
          id: t.packetId,
          role: "user" as const,
          text: turnText(t),
          ...(t.vector ? { vector: t.vector } : {}),
        })),
        queryVector: Array.from(query ?? []),
        keepRecent: this.options.recentTurns,
        topK: this.options.recallTopK,
        minSimilarity: this.options.minSimilarity,
      });
      const byId = new Map(usable.map((t) => [t.packetId, t]));
      return {
        mode: "semantic",
        reason: null,
        history: selection.recent.map((r) => byId.get(r.id)).filter((t): t is SessionTurn => t !== undefined),
        recalled: selection.recalled
          .map((r) => ({ turn: byId.get(r.turn.id), similarity: r.similarity }))
          .filter((r): r is RecalledTurn => r.turn !== undefined),
      };
    } catch (error) {
      const reason = `embedding failed during this request: ${(error as Error).message}`;
      this.failed(reason);
      return { mode: "full", reason, history: usable, recalled: [] };
    }
  }

  /** The vector to store with a new turn (semantic mode), or undefined; never throws. */
  async vectorFor(turn: Pick<SessionTurn, "user" | "assistant">): Promise<number[] | undefined> {
    if (!this.embedder) return undefined;
    try {
      const [vector] = await this.embedder.embed([turnText(turn)]);
      return vector ? roundVector(vector) : undefined;
    } catch (error) {
      this.failed(`embedding failed while storing a turn: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Embeds older turns stored without a vector (full-mode sessions) and stores the vectors, a few per request. */
  private async backfill(older: readonly SessionTurn[]): Promise<void> {
    const missing = older.filter((t) => !t.vector).slice(-(this.options.backfillPerRequest ?? 32));
    if (missing.length === 0 || !this.embedder) return;
    const vectors = await this.embedder.embed(missing.map(turnText));
    for (const [i, turn] of missing.entries()) {
      const vector = vectors[i];
      if (!vector) continue;
      turn.vector = roundVector(vector);
      await this.options.store.attachVector(turn.sessionId, turn.packetId, turn.vector);
    }
  }

  private succeeded(): void {
    this.consecutiveFailures = 0;
  }

  private failed(reason: string): void {
    this.consecutiveFailures += 1;
    if (!this.loggedFailures.has(reason)) {
      this.loggedFailures.add(reason);
      this.options.logger?.warn({ reason }, "embedding failed; this request uses full history");
    }
    if (this.consecutiveFailures >= (this.options.failuresBeforeFullMode ?? 3) && this.embedder) {
      this.fullModeReason = `embedding failed ${this.consecutiveFailures} times in a row (last: ${reason})`;
      this.options.logger?.warn({ history_mode: "full", reason: this.fullModeReason }, "history mode changed");
      this.embedder = null;
    }
  }
}

/** Six decimals are plenty for cosine similarity and keep session files small. */
function roundVector(vector: ArrayLike<number>): number[] {
  return Array.from(vector, (v) => Math.round(v * 1e6) / 1e6);
}
