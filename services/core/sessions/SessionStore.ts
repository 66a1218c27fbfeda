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
 * Where sessions live. The file store keeps each core's sessions on its own volume (as the original isolates
 * primary and candidate); a shared store (e.g. a database both cores reach) can implement the same interface.
 */
export interface SessionStore {
  /** Turns of a session in the order they were stored ([] for an unknown session). */
  load(sessionId: string): Promise<SessionTurn[]>;
  /**
   * Appends a turn unless a turn with the same packetId is already stored.
   * Returns the stored turn: the new one, or the existing one when this was a re-send.
   */
  appendTurn(turn: SessionTurn): Promise<{ stored: SessionTurn; duplicate: boolean }>;
  /** Stores the embedding of an earlier turn that had none (written before semantic mode was on). */
  attachVector(sessionId: string, packetId: string, vector: number[]): Promise<void>;
  /** Number of sessions stored. */
  count(): Promise<number>;
  /**
   * Current health, cheap and synchronous (it answers during generation). Methods that cannot reach the backing store
   * throw {@link SessionStoreUnavailableError}, and health stays unwritable until a write succeeds again.
   */
  health(): SessionStoreHealth;
}
