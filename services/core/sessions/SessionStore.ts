import type { AnswerTokens } from "../inference/AnswerTokens.js";
import type { SessionStoreUnavailableError } from "./SessionStoreUnavailableError.js";

/** One completed exchange of a session: the user's text and the answer, stored as one record. */
export interface SessionTurn {
  /** `header.packet_id` of the packet that produced the turn; unique within a session (idempotency key). */
  packetId: string;
  sessionId: string;
  /** ISO time the turn was stored. */
  at: string;
  user: string;
  assistant: string;
  /** The answer as the tokens the model generated, when `assistant` is exactly their text. */
  answerTokens?: AnswerTokens;
  /** Embedding of the turn (semantic mode), computed once and stored with it; absent in full-history mode. */
  vector?: number[];
  /** Facts about how the answer was made, replayed when the same packet_id arrives again. */
  meta?: Record<string, unknown>;
}

/** Whether a store can serve writes now; /health is not ready while `writable` is false. */
export interface SessionStoreHealth {
  writable: boolean;
  /** Which store, as an operator names it ("file store /shared/sessions"). */
  store?: string;
  /** Why not, while not writable (the cause of the last failed write or connection). */
  reason?: string;
  /** ISO time the store became unwritable. */
  since?: string;
}

/**
 * The outcome of {@link SessionStore.claim}: this caller answers the packet (and releases the claim when done,
 * stored or not), or the packet was answered already, possibly by another process while this caller waited.
 */
export type PacketClaim = { kind: "claimed"; release(): Promise<void> } | { kind: "answered"; turn: SessionTurn };

export interface AppendOptions {
  /**
   * The caller that will receive the answer. If it has gone before the record is written (a gateway that gave up on
   * a frozen core and re-sent the packet to its peer), nothing is stored and the append rejects with the signal's
   * reason: the peer's answer is the one that counts. Checked as late as the store can, just before the write.
   */
  signal?: AbortSignal;
}

export interface ClaimOptions {
  /** Stops waiting for another caller's answer (the client went away); the claim rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Where sessions live. The file store keeps each core's sessions on its own volume (as the original isolates
 * primary and candidate); the Redis store is shared by any number of replicas. Both implement the same contract.
 */
export interface SessionStore {
  /** Turns of a session in the order they were stored ([] for an unknown session). */
  load(sessionId: string): Promise<SessionTurn[]>;
  /**
   * Appends a turn unless a turn with the same packetId is already stored.
   * Returns the stored turn: the new one, or the existing one when this was a re-send.
   */
  appendTurn(turn: SessionTurn, options?: AppendOptions): Promise<{ stored: SessionTurn; duplicate: boolean }>;
  /** Stores the embedding of an earlier turn that had none (written before semantic mode was on). */
  attachVector(sessionId: string, packetId: string, vector: number[]): Promise<void>;
  /**
   * Takes the right to answer `packetId` before any inference, so a packet that arrives twice at once (a retry, a
   * failover, two replicas) is answered once. While another caller holds the claim this waits: for its stored turn
   * (returned as "answered"), or for the claim to be released or to expire (then this caller may claim it).
   */
  claim(sessionId: string, packetId: string, options?: ClaimOptions): Promise<PacketClaim>;
  /** Number of sessions stored. */
  count(): Promise<number>;
  /**
   * Current health, cheap and synchronous (it answers during generation). Methods that cannot reach the backing store
   * throw {@link SessionStoreUnavailableError}, and health stays unwritable until a write succeeds again.
   */
  health(): SessionStoreHealth;
  /** Releases connections and timers; the store is not used afterwards. */
  close(): Promise<void>;
}
