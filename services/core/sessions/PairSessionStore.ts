import type { PeerSessionReader } from "./PeerSessionReader.js";
import type {
  AppendOptions,
  ClaimOptions,
  PacketClaim,
  SessionStore,
  SessionStoreHealth,
  SessionTurn,
} from "./SessionStore.js";

/**
 * One conversation across the HA pair: this core's own store (the only one written) plus its peer's sessions, read
 * only. A session's history is the union of both, ordered by time and de-duplicated by packet_id; a packet_id the
 * peer already answered is replayed from the peer's record, never answered (or stored) a second time, so a retry
 * after failover stays idempotent across the pair.
 */
export class PairSessionStore implements SessionStore {
  constructor(
    private readonly own: SessionStore,
    private readonly peer: PeerSessionReader,
  ) {}

  async load(sessionId: string): Promise<SessionTurn[]> {
    const [own, peer] = await Promise.all([this.own.load(sessionId), this.peer.load(sessionId)]);
    return mergeTurns(own, peer);
  }

  /**
   * The peer may have answered this packet_id while we generated (a re-send during failover). Nothing locks across
   * the pair, so the own store checks the caller once more just before it writes: a core frozen between this check
   * and its write finds, when it thaws, that the gateway left (and re-sent the packet to the peer), and stores nothing.
   */
  async appendTurn(
    turn: SessionTurn,
    options: AppendOptions = {},
  ): Promise<{ stored: SessionTurn; duplicate: boolean }> {
    const answered = (await this.peer.load(turn.sessionId)).find((t) => t.packetId === turn.packetId);
    if (answered) return { stored: answered, duplicate: true };
    return this.own.appendTurn(turn, options);
  }

  /** Only our own turns get vectors stored; a peer turn keeps its vector in memory until the peer stores one. */
  async attachVector(sessionId: string, packetId: string, vector: number[]): Promise<void> {
    if ((await this.own.load(sessionId)).some((t) => t.packetId === packetId))
      await this.own.attachVector(sessionId, packetId, vector);
  }

  /** A packet_id the peer already answered is replayed from the peer's record; otherwise the own store's claim. */
  async claim(sessionId: string, packetId: string, options?: ClaimOptions): Promise<PacketClaim> {
    const answered = (await this.peer.load(sessionId)).find((t) => t.packetId === packetId);
    if (answered) return { kind: "answered", turn: answered };
    return this.own.claim(sessionId, packetId, options);
  }

  count(): Promise<number> {
    return this.own.count();
  }

  close(): Promise<void> {
    return this.own.close();
  }

  health(): SessionStoreHealth {
    return this.own.health();
  }
}

/** Own and peer turns ordered by time (own first on a tie), each packet_id once (own wins). */
export function mergeTurns(own: readonly SessionTurn[], peer: readonly SessionTurn[]): SessionTurn[] {
  if (peer.length === 0) return [...own];
  const ownIds = new Set(own.map((t) => t.packetId));
  const extra = peer.filter((t) => !ownIds.has(t.packetId));
  if (extra.length === 0) return [...own];
  const merged: SessionTurn[] = [];
  let i = 0;
  let j = 0;
  while (i < own.length || j < extra.length) {
    const a = own[i];
    const b = extra[j];
    if (b === undefined || (a !== undefined && timeOf(a) <= timeOf(b))) {
      merged.push(a as SessionTurn);
      i++;
    } else {
      merged.push(b);
      j++;
    }
  }
  return merged;
}

function timeOf(turn: SessionTurn): number {
  const t = Date.parse(turn.at);
  return Number.isNaN(t) ? 0 : t;
}
