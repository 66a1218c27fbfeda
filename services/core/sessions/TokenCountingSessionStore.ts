import type { PromptMessage } from "../inference/InferenceEngine.js";
import { countTurnTokens, withTurnTokens } from "../prompt/turnTokens.js";
import type {
  AppendOptions,
  ClaimOptions,
  PacketClaim,
  SessionStore,
  SessionStoreHealth,
  SessionTurn,
} from "./SessionStore.js";

/**
 * A session store whose new turns carry their token count (the turn's meta), computed once with the model's own
 * tokenizer and template when the turn is stored. Fitting history to the budget then reads the counts instead of
 * tokenizing the whole session for every packet. Works over any store (file, Redis, pair): meta is stored as is.
 */
export class TokenCountingSessionStore implements SessionStore {
  constructor(
    private readonly inner: SessionStore,
    private readonly countTokens: (messages: readonly PromptMessage[]) => number,
  ) {}

  appendTurn(turn: SessionTurn, options?: AppendOptions): Promise<{ stored: SessionTurn; duplicate: boolean }> {
    return this.inner.appendTurn(withTurnTokens(turn, countTurnTokens(this.countTokens, turn)), options);
  }

  load(sessionId: string): Promise<SessionTurn[]> {
    return this.inner.load(sessionId);
  }

  attachVector(sessionId: string, packetId: string, vector: number[]): Promise<void> {
    return this.inner.attachVector(sessionId, packetId, vector);
  }

  claim(sessionId: string, packetId: string, options?: ClaimOptions): Promise<PacketClaim> {
    return this.inner.claim(sessionId, packetId, options);
  }

  count(): Promise<number> {
    return this.inner.count();
  }

  health(): SessionStoreHealth {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
