import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "../../../shared/logging/logger.js";
import { answerTokensOf } from "../inference/AnswerTokens.js";
import { APPEND, ATTACH_VECTOR, CLAIM, EXTEND, LOAD, RELEASE } from "./redisScripts.js";
import type {
  AppendOptions,
  ClaimOptions,
  PacketClaim,
  SessionStore,
  SessionStoreHealth,
  SessionTurn,
} from "./SessionStore.js";
import { SessionStoreUnavailableError } from "./SessionStoreUnavailableError.js";
import { throwIfCallerLeft } from "./throwIfCallerLeft.js";
import { waitOrAbort } from "./waitOrAbort.js";

export interface RedisSessionStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** Namespace of every key, so several deployments (or tests) can share one Redis. Default `gaia:`. */
  prefix?: string;
  /** A session whose last turn is older than this is deleted by Redis; 0 (default) keeps sessions forever. */
  sessionTtlMs?: number;
  /** A command that gets no reply in this time fails (503) instead of hanging the packet. Default 2000. */
  commandTimeoutMs?: number;
  /** How long a claim lives without being extended (it is extended while its answer is generated). Default 15000. */
  claimTtlMs?: number;
  /** How often a caller waiting for another replica's answer looks again. Default 50. */
  claimPollMs?: number;
  logger?: Logger;
}

/** One stored turn, as JSON in the session's hash (vectors live in their own hash: they may be attached later). */
interface TurnRecord {
  packet_id: string;
  session_id: string;
  at: string;
  user: string;
  assistant: string;
  answer_tokens?: unknown;
  meta?: Record<string, unknown>;
}

/** Delay before reconnect attempt `times` (1-based): doubling from 100 ms, capped at 2 s, plus up to 10 % jitter. */
export function reconnectDelayMs(times: number, random: () => number = Math.random): number {
  const base = Math.min(100 * 2 ** Math.max(0, times - 1), 2000);
  return Math.round(base * (1 + random() * 0.1));
}

/** Seconds a client is told to wait while Redis is unreachable: about the longest reconnect backoff. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Sessions in Redis, shared by any number of core replicas. Per session (keys under the prefix, named by a hash of the
 * session id): a hash of turn records by packet_id, a sorted set giving their order of arrival, a hash of vectors
 * and an arrival counter; claims are keys with an expiry. Every write is one Lua script (atomic: nothing is ever half
 * written), every read one round trip. While Redis is unreachable every call fails fast with
 * {@link SessionStoreUnavailableError} (no offline queue: a packet must not wait on a dead store), health reports it,
 * and ioredis reconnects with backoff; the outage is logged once when it starts and once when it ends.
 */
export class RedisSessionStore implements SessionStore {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly sessionTtlMs: number;
  private readonly claimTtlMs: number;
  private readonly claimPollMs: number;
  private readonly logger: Logger | undefined;
  /** `redis host:port/db`, without credentials: what errors, health and logs name. */
  readonly description: string;
  private state: SessionStoreHealth;
  private connectedOnce = false;
  private initialFailureLogged = false;
  private closing = false;
  /** Timers extending the claims this store holds (stopped on release, or all of them on close). */
  private readonly extending = new Set<NodeJS.Timeout>();

  constructor(options: RedisSessionStoreOptions) {
    const url = new URL(options.url);
    const db = url.pathname.replace(/^\//, "");
    this.description = `redis ${url.hostname}:${url.port || "6379"}${db ? `/${db}` : ""}`;
    this.prefix = options.prefix ?? "gaia:";
    this.sessionTtlMs = options.sessionTtlMs ?? 0;
    this.claimTtlMs = options.claimTtlMs ?? 15_000;
    this.claimPollMs = options.claimPollMs ?? 50;
    this.logger = options.logger;
    this.state = { writable: false, reason: `connecting to ${this.description}`, since: new Date().toISOString() };
    this.client = new Redis(options.url, {
      enableOfflineQueue: false,
      // a command cut off by a lost connection fails at once (its packet gets a 503) instead of awaiting a reconnect
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      connectTimeout: options.commandTimeoutMs ?? 2000,
      retryStrategy: (times) => (this.closing ? null : reconnectDelayMs(times)),
      connectionName: "gaia-core",
      // how long close() waits for a socket to end before destroying it (ioredis waits 2 s even for one that never
      // connected, which would hold a stopping process)
      disconnectTimeout: 200,
    });
    this.client.on("ready", () => this.markUp());
    this.client.on("error", (error: Error) => this.markDown(error.message));
    this.client.on("close", () => this.markDown("connection closed"));
  }

  health(): SessionStoreHealth {
    return { store: this.description, ...this.state };
  }

  async load(sessionId: string): Promise<SessionTurn[]> {
    const keys = this.keysFor(sessionId);
    const [records, vectorPairs] = (await this.run(() =>
      LOAD.run(this.client, [keys.order, keys.turns, keys.vectors], []),
    )) as [string[], string[]];
    const vectors = new Map<string, string>();
    for (let i = 0; i + 1 < vectorPairs.length; i += 2)
      vectors.set(vectorPairs[i] as string, vectorPairs[i + 1] as string);
    return records
      .filter((json) => json !== "")
      .map((json) => {
        const record = JSON.parse(json) as TurnRecord;
        return toTurn(record, vectors.get(record.packet_id) ?? null);
      });
  }

  async appendTurn(
    turn: SessionTurn,
    options: AppendOptions = {},
  ): Promise<{ stored: SessionTurn; duplicate: boolean }> {
    await throwIfCallerLeft(options.signal);
    const keys = this.keysFor(turn.sessionId);
    const record: TurnRecord = {
      packet_id: turn.packetId,
      session_id: turn.sessionId,
      at: turn.at,
      user: turn.user,
      assistant: turn.assistant,
      ...(turn.answerTokens ? { answer_tokens: turn.answerTokens } : {}),
      ...(turn.meta ? { meta: turn.meta } : {}),
    };
    const reply = (await this.run(() =>
      APPEND.run(
        this.client,
        [keys.turns, keys.order, keys.vectors, keys.seq, this.claimKey(keys, turn.packetId), this.indexKey()],
        [
          turn.packetId,
          JSON.stringify(record),
          turn.vector ? JSON.stringify(turn.vector) : "",
          this.sessionTtlMs,
          Date.now(),
          keys.hash,
        ],
      ),
    )) as string[];
    if (reply[0] === "duplicate") return { stored: toTurn(reply[1] as string, reply[2] || null), duplicate: true };
    return { stored: { ...turn }, duplicate: false };
  }

  async attachVector(sessionId: string, packetId: string, vector: number[]): Promise<void> {
    const keys = this.keysFor(sessionId);
    await this.run(() =>
      ATTACH_VECTOR.run(
        this.client,
        [keys.turns, keys.vectors, keys.order, keys.seq, this.indexKey()],
        [packetId, JSON.stringify(vector), this.sessionTtlMs, Date.now(), keys.hash],
      ),
    );
  }

  async claim(sessionId: string, packetId: string, options: ClaimOptions = {}): Promise<PacketClaim> {
    const keys = this.keysFor(sessionId);
    const claimKey = this.claimKey(keys, packetId);
    const token = randomUUID();
    for (;;) {
      options.signal?.throwIfAborted();
      const reply = (await this.run(() =>
        CLAIM.run(
          this.client,
          [keys.turns, keys.vectors, claimKey, keys.seq],
          [packetId, token, this.claimTtlMs, this.sessionTtlMs],
        ),
      )) as string[];
      if (reply[0] === "answered") return { kind: "answered", turn: toTurn(reply[1] as string, reply[2] || null) };
      if (reply[0] === "claimed") return this.heldClaim(claimKey, token);
      await waitOrAbort({ ms: this.claimPollMs, ...(options.signal ? { signal: options.signal } : {}) });
    }
  }

  async count(): Promise<number> {
    const index = this.indexKey();
    if (this.sessionTtlMs <= 0) return this.run(() => this.client.zcard(index));
    const cutoff = Date.now() - this.sessionTtlMs;
    const replies = await this.run(() =>
      this.client.multi().zremrangebyscore(index, "-inf", cutoff).zcard(index).exec(),
    );
    return Number(replies?.[1]?.[1] ?? 0);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.extending) clearInterval(timer);
    this.extending.clear();
    if (this.client.status !== "ready") {
      this.client.disconnect(); // not connected: nothing to say goodbye to, and no reconnect left pending
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** A claim this caller holds: extended while the answer is generated, deleted (if still ours) on release. */
  private heldClaim(claimKey: string, token: string): PacketClaim {
    const extend = setInterval(
      () => void EXTEND.run(this.client, [claimKey], [token, this.claimTtlMs]).catch(() => undefined),
      Math.max(10, Math.floor(this.claimTtlMs / 3)),
    );
    extend.unref();
    this.extending.add(extend);
    let released = false;
    return {
      kind: "claimed",
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(extend);
        this.extending.delete(extend);
        // when Redis is gone the claim simply expires; the caller's own error is what the client hears
        await RELEASE.run(this.client, [claimKey], [token]).catch(() => undefined);
      },
    };
  }

  /** Runs one command (or script) and maps any failure to the store being unavailable. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.client.status !== "ready") {
      throw new SessionStoreUnavailableError(
        this.description,
        this.state.reason ?? `not connected (${this.client.status})`,
        RETRY_AFTER_SECONDS,
      );
    }
    try {
      const result = await command();
      if (!this.state.writable) this.markUp();
      return result;
    } catch (error) {
      const reason = (error as Error).message || String(error);
      this.markDown(reason);
      throw new SessionStoreUnavailableError(this.description, reason, RETRY_AFTER_SECONDS, { cause: error });
    }
  }

  /** Records an outage; logs only when one starts (or, before the first connection, at the first failure). */
  private markDown(reason: string): void {
    if (this.closing) return;
    const starts = this.state.writable || (!this.connectedOnce && !this.initialFailureLogged);
    this.state = { writable: false, reason, since: this.state.writable ? new Date().toISOString() : this.state.since };
    if (!starts) return;
    if (!this.connectedOnce) this.initialFailureLogged = true;
    this.logger?.warn({ store: this.description, reason }, "session store unavailable; reconnecting with backoff");
  }

  private markUp(): void {
    if (this.state.writable) return;
    const downSince = this.state.since;
    const first = !this.connectedOnce;
    this.connectedOnce = true;
    this.state = { writable: true };
    if (first) {
      this.logger?.info({ store: this.description, prefix: this.prefix }, "session store connected");
    } else {
      const downMs = downSince ? Date.now() - Date.parse(downSince) : null;
      this.logger?.info({ store: this.description, down_ms: downMs }, "session store reachable again");
    }
  }

  private keysFor(sessionId: string) {
    const hash = createHash("sha256").update(sessionId, "utf8").digest("hex").slice(0, 32);
    const base = `${this.prefix}session:${hash}`;
    return {
      hash,
      base,
      turns: `${base}:turns`,
      order: `${base}:order`,
      vectors: `${base}:vectors`,
      seq: `${base}:seq`,
    };
  }

  private claimKey(keys: { base: string }, packetId: string): string {
    return `${keys.base}:claim:${createHash("sha256").update(packetId, "utf8").digest("hex").slice(0, 32)}`;
  }

  private indexKey(): string {
    return `${this.prefix}sessions`;
  }
}

function toTurn(stored: string | TurnRecord, vectorJson: string | null): SessionTurn {
  const record = typeof stored === "string" ? (JSON.parse(stored) as TurnRecord) : stored;
  const vector = vectorJson ? (JSON.parse(vectorJson) as unknown) : null;
  const answerTokens = answerTokensOf(record.answer_tokens);
  return {
    packetId: record.packet_id,
    sessionId: record.session_id,
    at: record.at,
    user: String(record.user ?? ""),
    assistant: String(record.assistant ?? ""),
    ...(answerTokens ? { answerTokens } : {}),
    ...(Array.isArray(vector) ? { vector: vector as number[] } : {}),
    ...(record.meta ? { meta: record.meta } : {}),
  };
}
