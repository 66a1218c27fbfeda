import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../../shared/logging/logger.js";
import type { ClaimOptions, PacketClaim, SessionStore, SessionStoreHealth, SessionTurn } from "./SessionStore.js";
import { sessionFileName } from "./sessionFileName.js";
import { waitOrAbort } from "./waitOrAbort.js";

/** One line of a session file. */
type SessionRecord =
  | {
      kind: "turn";
      packet_id: string;
      session_id: string;
      at: string;
      user: string;
      assistant: string;
      vector?: number[];
      meta?: Record<string, unknown>;
    }
  | { kind: "vector"; packet_id: string; vector: number[] };

interface CachedSession {
  /** Bytes of the file already parsed (always at a line boundary). */
  offset: number;
  /** File size at the last refresh: equal to `offset` when the file ends with a complete line (or is empty). */
  size: number;
  turns: SessionTurn[];
  byPacketId: Map<string, SessionTurn>;
}

export interface FileSessionStoreOptions {
  /** Directory holding one `<slug>.<hash>.jsonl` file per session. */
  dir: string;
  logger?: Logger;
  /** Sessions whose parsed turns stay in memory (the files remain the truth). */
  cacheSize?: number;
}

/**
 * Append-only JSON-lines session files. Crash safety comes from never rewriting: a kill -9 mid-write can leave at
 * most one torn last line, which readers skip and the next append seals off with a newline, so earlier turns always
 * stay readable. Appends to one session are serialised in-process; files are read incrementally from the last offset.
 * One writing process per sessions directory is assumed (each core owns its volume): an append updates the in-memory
 * view without reading the file back.
 */
export class FileSessionStore implements SessionStore {
  private readonly dir: string;
  private readonly logger: Logger | undefined;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, CachedSession>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Packets being answered in this process, by session + packet_id; each settles when its claim is released. */
  private readonly claims = new Map<string, Promise<void>>();
  private dirReady: Promise<unknown> | null = null;

  constructor(options: FileSessionStoreOptions) {
    this.dir = options.dir;
    this.logger = options.logger;
    this.cacheSize = options.cacheSize ?? 256;
  }

  /** Always writable for now: storage faults are not yet detected (the HA work makes this real). */
  health(): SessionStoreHealth {
    return { writable: true };
  }

  /** Absolute path of a session's file (always directly inside the sessions dir). */
  fileFor(sessionId: string): string {
    return path.join(this.dir, sessionFileName(sessionId));
  }

  async load(sessionId: string): Promise<SessionTurn[]> {
    return this.withLock(sessionId, async () => [...(await this.refresh(sessionId)).turns]);
  }

  async appendTurn(turn: SessionTurn): Promise<{ stored: SessionTurn; duplicate: boolean }> {
    return this.withLock(turn.sessionId, async () => {
      const session = await this.refresh(turn.sessionId);
      const existing = session.byPacketId.get(turn.packetId);
      if (existing) return { stored: existing, duplicate: true };
      const record: SessionRecord = {
        kind: "turn",
        packet_id: turn.packetId,
        session_id: turn.sessionId,
        at: turn.at,
        user: turn.user,
        assistant: turn.assistant,
        ...(turn.vector ? { vector: turn.vector } : {}),
        ...(turn.meta ? { meta: turn.meta } : {}),
      };
      await this.appendRecord(session, turn.sessionId, record);
      return { stored: session.byPacketId.get(turn.packetId) ?? turn, duplicate: false };
    });
  }

  async attachVector(sessionId: string, packetId: string, vector: number[]): Promise<void> {
    await this.withLock(sessionId, async () => {
      const session = await this.refresh(sessionId);
      const turn = session.byPacketId.get(packetId);
      if (!turn || turn.vector) return;
      await this.appendRecord(session, sessionId, { kind: "vector", packet_id: packetId, vector });
    });
  }

  /**
   * In-process claim: one writing process per sessions directory is assumed, so a claim only has to exclude other
   * callers in this process. A waiter re-checks the file after the holder releases (stored: answered; else it claims).
   */
  async claim(sessionId: string, packetId: string, options: ClaimOptions = {}): Promise<PacketClaim> {
    const key = JSON.stringify([sessionId, packetId]);
    for (;;) {
      const held = this.claims.get(key);
      if (held) {
        await waitOrAbort({ promise: held, ...(options.signal ? { signal: options.signal } : {}) });
        continue;
      }
      options.signal?.throwIfAborted();
      const session = await this.withLock(sessionId, () => this.refresh(sessionId));
      const stored = session.byPacketId.get(packetId);
      if (stored) return { kind: "answered", turn: stored };
      if (this.claims.has(key)) continue; // claimed by another caller while this one read the file
      let settle = () => {};
      const released = new Promise<void>((resolve) => {
        settle = resolve;
      });
      this.claims.set(key, released);
      return {
        kind: "claimed",
        release: async () => {
          if (this.claims.get(key) === released) this.claims.delete(key);
          settle();
        },
      };
    }
  }

  async close(): Promise<void> {
    this.cache.clear();
  }

  async count(): Promise<number> {
    try {
      return (await fs.readdir(this.dir)).filter((name) => name.endsWith(".jsonl")).length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw error;
    }
  }

  /**
   * Writes one record as one line and adds it to the cached session (the caller holds the session's lock and has
   * just refreshed it). Seals a torn last line (from a crash) with a newline first; a file that ends with a complete
   * line, the usual case, is appended to without reading it back (few syscalls: every one is a thread-pool round trip).
   */
  private async appendRecord(session: CachedSession, sessionId: string, record: SessionRecord): Promise<void> {
    this.dirReady ??= fs.mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      this.dirReady = null;
      throw error;
    });
    await this.dirReady;
    const line = `${session.size > session.offset ? "\n" : ""}${JSON.stringify(record)}\n`;
    await fs.appendFile(this.fileFor(sessionId), line);
    if (session.size > session.offset) {
      await this.refresh(sessionId); // a torn line was sealed: re-read from the last good offset
      return;
    }
    const bytes = Buffer.byteLength(line);
    this.apply(session, line.slice(0, -1), this.fileFor(sessionId));
    session.offset += bytes;
    session.size += bytes;
  }

  /** Parses whatever was appended since the last read; only complete lines are consumed. */
  private async refresh(sessionId: string): Promise<CachedSession> {
    const file = this.fileFor(sessionId);
    let session = this.cache.get(sessionId);
    if (session) {
      this.cache.delete(sessionId); // re-insert below: most recently used last
    } else {
      session = { offset: 0, size: 0, turns: [], byPacketId: new Map() };
    }
    this.cache.set(sessionId, session);
    this.evict();

    let size: number;
    try {
      size = (await fs.stat(file)).size; // one syscall when nothing changed (the common case)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        session.offset = 0;
        session.size = 0;
        session.turns = [];
        session.byPacketId.clear();
        return session;
      }
      throw error;
    }
    if (size < session.offset) {
      session.offset = 0;
      session.turns = [];
      session.byPacketId.clear(); // replaced underneath us
    }
    session.size = size;
    if (size === session.offset) return session;
    const handle = await fs.open(file, "r");
    try {
      const buffer = Buffer.alloc(size - session.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, session.offset);
      const lastNewline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (lastNewline < 0) return session; // only a torn or in-progress line so far
      const complete = buffer.subarray(0, lastNewline).toString("utf8");
      for (const line of complete.split("\n")) this.apply(session, line, file);
      session.offset += lastNewline + 1;
      return session;
    } finally {
      await handle.close();
    }
  }

  private apply(session: CachedSession, line: string, file: string): void {
    if (line.trim() === "") return;
    let record: SessionRecord;
    try {
      record = JSON.parse(line) as SessionRecord;
    } catch {
      this.logger?.warn({ file }, "skipping a torn or corrupt line in a session file");
      return;
    }
    if (record.kind === "turn" && typeof record.packet_id === "string" && !session.byPacketId.has(record.packet_id)) {
      const turn: SessionTurn = {
        packetId: record.packet_id,
        sessionId: record.session_id,
        at: record.at,
        user: String(record.user ?? ""),
        assistant: String(record.assistant ?? ""),
        ...(Array.isArray(record.vector) ? { vector: record.vector } : {}),
        ...(record.meta ? { meta: record.meta } : {}),
      };
      session.turns.push(turn);
      session.byPacketId.set(turn.packetId, turn);
    } else if (record.kind === "vector" && Array.isArray(record.vector)) {
      const turn = session.byPacketId.get(record.packet_id);
      if (turn && !turn.vector) turn.vector = record.vector;
    }
  }

  private evict(): void {
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /** Runs `task` after every earlier task for the same session (appends never interleave). */
  private async withLock<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(sessionId) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.catch(() => undefined);
    this.locks.set(sessionId, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(sessionId) === settled) this.locks.delete(sessionId);
    }
  }
}
