import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../../shared/logging/logger.js";
import type { SessionStore, SessionTurn } from "./SessionStore.js";
import { sessionFileName } from "./sessionFileName.js";

/** One line of a session file. */
type SessionRecord =
  | { kind: "turn"; packet_id: string; session_id: string; at: string; user: string; assistant: string; vector?: number[]; meta?: Record<string, unknown> }
  | { kind: "vector"; packet_id: string; vector: number[] };

interface CachedSession {
  /** Bytes of the file already parsed (always at a line boundary). */
  offset: number;
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
 */
export class FileSessionStore implements SessionStore {
  private readonly dir: string;
  private readonly logger: Logger | undefined;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, CachedSession>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(options: FileSessionStoreOptions) {
    this.dir = options.dir;
    this.logger = options.logger;
    this.cacheSize = options.cacheSize ?? 256;
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
        kind: "turn", packet_id: turn.packetId, session_id: turn.sessionId, at: turn.at,
        user: turn.user, assistant: turn.assistant,
        ...(turn.vector ? { vector: turn.vector } : {}), ...(turn.meta ? { meta: turn.meta } : {}),
      };
      await this.appendRecord(turn.sessionId, record);
      await this.refresh(turn.sessionId);
      return { stored: session.byPacketId.get(turn.packetId) ?? turn, duplicate: false };
    });
  }

  async attachVector(sessionId: string, packetId: string, vector: number[]): Promise<void> {
    await this.withLock(sessionId, async () => {
      const session = await this.refresh(sessionId);
      const turn = session.byPacketId.get(packetId);
      if (!turn || turn.vector) return;
      await this.appendRecord(sessionId, { kind: "vector", packet_id: packetId, vector });
      await this.refresh(sessionId);
    });
  }

  async count(): Promise<number> {
    try {
      return (await fs.readdir(this.dir)).filter((name) => name.endsWith(".jsonl")).length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw error;
    }
  }

  /** Writes one record as one line; seals a torn last line (from a crash) with a newline first. */
  private async appendRecord(sessionId: string, record: SessionRecord): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const file = this.fileFor(sessionId);
    const handle = await fs.open(file, "a+");
    try {
      const { size } = await handle.stat();
      let prefix = "";
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = "\n";
      }
      await handle.write(`${prefix}${JSON.stringify(record)}\n`);
    } finally {
      await handle.close();
    }
  }

  /** Parses whatever was appended since the last read; only complete lines are consumed. */
  private async refresh(sessionId: string): Promise<CachedSession> {
    const file = this.fileFor(sessionId);
    let session = this.cache.get(sessionId);
    if (session) {
      this.cache.delete(sessionId); // re-insert below: most recently used last
    } else {
      session = { offset: 0, turns: [], byPacketId: new Map() };
    }
    this.cache.set(sessionId, session);
    this.evict();

    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        session.offset = 0; session.turns = []; session.byPacketId.clear();
        return session;
      }
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size < session.offset) {
        session.offset = 0; session.turns = []; session.byPacketId.clear(); // replaced underneath us
      }
      if (size === session.offset) return session;
      const buffer = Buffer.alloc(size - session.offset);
      await handle.read(buffer, 0, buffer.length, session.offset);
      const lastNewline = buffer.lastIndexOf(0x0a);
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
        packetId: record.packet_id, sessionId: record.session_id, at: record.at,
        user: String(record.user ?? ""), assistant: String(record.assistant ?? ""),
        ...(Array.isArray(record.vector) ? { vector: record.vector } : {}), ...(record.meta ? { meta: record.meta } : {}),
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
