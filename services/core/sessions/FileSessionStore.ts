import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../../shared/logging/logger.js";
import type {
  AppendOptions,
  ClaimOptions,
  PacketClaim,
  SessionStore,
  SessionStoreHealth,
  SessionTurn,
} from "./SessionStore.js";
import { SessionStoreUnavailableError } from "./SessionStoreUnavailableError.js";
import { sessionFileName } from "./sessionFileName.js";
import { applyLine, readAppended, type SessionLog, SessionLogCache, type SessionRecord } from "./sessionLog.js";
import { asStoreError, storageFault } from "./storageFaults.js";
import { throwIfCallerLeft } from "./throwIfCallerLeft.js";
import { waitOrAbort } from "./waitOrAbort.js";

export interface FileSessionStoreOptions {
  /** Directory holding one `<slug>.<hash>.jsonl` file per session. */
  dir: string;
  logger?: Logger;
  /** Sessions whose parsed turns stay in memory (the files remain the truth). */
  cacheSize?: number;
  /** While unwritable, how often a small test write checks whether the volume works again. Default 2000 ms. */
  probeIntervalMs?: number;
}

/** Bytes the recovery probe writes: a page, so a volume with a few bytes left does not count as writable. */
const PROBE_BYTES = 4096;

/**
 * Append-only JSON-lines session files. Crash safety comes from never rewriting: a kill -9 mid-write can leave at
 * most one torn last line, which readers skip and the next append seals off with a newline, so earlier turns always
 * stay readable. Appends to one session are serialised in-process; files are read incrementally from the last offset.
 * One writing process per sessions directory is assumed (each core owns its volume): an append updates the in-memory
 * view without reading the file back.
 *
 * Storage faults (full, read-only, permissions, I/O errors) are thrown as SessionStoreUnavailableError and make the
 * store unwritable until a write succeeds again: a failed append is cut back to the last complete line, and a probe
 * write every `probeIntervalMs` notices by itself when the volume works again.
 */
export class FileSessionStore implements SessionStore {
  private readonly dir: string;
  private readonly logger: Logger | undefined;
  private readonly cache: SessionLogCache;
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Packets being answered in this process, by session + packet_id; each settles when its claim is released. */
  private readonly claims = new Map<string, Promise<void>>();
  private readonly probeIntervalMs: number;
  private dirReady: Promise<unknown> | null = null;
  private fault: { reason: string; since: string } | null = null;
  private probeTimer: NodeJS.Timeout | null = null;

  constructor(options: FileSessionStoreOptions) {
    this.dir = options.dir;
    this.logger = options.logger;
    this.cache = new SessionLogCache(options.cacheSize ?? 256);
    this.probeIntervalMs = options.probeIntervalMs ?? 2000;
  }

  /** How operators name this store in errors and /health. */
  get name(): string {
    return `file store ${this.dir}`;
  }

  health(): SessionStoreHealth {
    return this.fault
      ? { writable: false, store: this.name, reason: this.fault.reason, since: this.fault.since }
      : { writable: true, store: this.name };
  }

  /** Absolute path of a session's file (always directly inside the sessions dir). */
  fileFor(sessionId: string): string {
    return path.join(this.dir, sessionFileName(sessionId));
  }

  async load(sessionId: string): Promise<SessionTurn[]> {
    return this.withLock(sessionId, async () => [...(await this.guard(() => this.refresh(sessionId))).turns]);
  }

  async appendTurn(
    turn: SessionTurn,
    options: AppendOptions = {},
  ): Promise<{ stored: SessionTurn; duplicate: boolean }> {
    return this.withLock(turn.sessionId, () =>
      this.guard(async () => {
        const session = await this.refresh(turn.sessionId);
        const existing = session.byPacketId.get(turn.packetId);
        if (existing) return { stored: existing, duplicate: true };
        await throwIfCallerLeft(options.signal);
        const record: SessionRecord = {
          kind: "turn",
          packet_id: turn.packetId,
          session_id: turn.sessionId,
          at: turn.at,
          user: turn.user,
          assistant: turn.assistant,
          ...(turn.answerTokens ? { answer_tokens: turn.answerTokens } : {}),
          ...(turn.vector ? { vector: turn.vector } : {}),
          ...(turn.meta ? { meta: turn.meta } : {}),
        };
        await this.appendRecord(session, turn.sessionId, record);
        return { stored: session.byPacketId.get(turn.packetId) ?? turn, duplicate: false };
      }),
    );
  }

  async attachVector(sessionId: string, packetId: string, vector: number[]): Promise<void> {
    await this.withLock(sessionId, () =>
      this.guard(async () => {
        const session = await this.refresh(sessionId);
        const turn = session.byPacketId.get(packetId);
        if (!turn || turn.vector) return;
        await this.appendRecord(session, sessionId, { kind: "vector", packet_id: packetId, vector });
      }),
    );
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

  /** Stops the recovery probe and forgets the parsed logs (the files stay the truth). */
  async close(): Promise<void> {
    this.stopProbe();
    this.cache.clear();
  }

  async count(): Promise<number> {
    return this.guard(async () => {
      try {
        return (await fs.readdir(this.dir)).filter((name) => name.endsWith(".jsonl")).length;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
        throw error;
      }
    });
  }

  /**
   * One test write (a page into a probe file, then removed). Marks the store writable again when it works; returns
   * whether it did. Called on a timer while unwritable; callers may also call it directly.
   */
  async probe(): Promise<boolean> {
    const file = path.join(this.dir, `.write-probe-${process.pid}`);
    try {
      await fs.mkdir(this.dir, { recursive: true });
      await fs.writeFile(file, Buffer.alloc(PROBE_BYTES, 0x20));
      await fs.unlink(file);
      this.recovered();
      return true;
    } catch (error) {
      await fs.unlink(file).catch(() => undefined);
      const reason = storageFault(error);
      if (reason !== null && this.fault) this.fault.reason = reason;
      return false;
    }
  }

  /**
   * Writes one record as one line and adds it to the cached session (the caller holds the session's lock and has
   * just refreshed it). Seals a torn last line (from a crash) with a newline first; a file that ends with a complete
   * line, the usual case, is appended to without reading it back (few syscalls: every one is a thread-pool round trip).
   * A write that fails (a full disk writes part of the line) is cut back to where the file ended, so no partial
   * record is ever left for a reader.
   */
  private async appendRecord(session: SessionLog, sessionId: string, record: SessionRecord): Promise<void> {
    this.dirReady ??= fs.mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      this.dirReady = null;
      throw error;
    });
    await this.dirReady;
    const file = this.fileFor(sessionId);
    const line = `${session.size > session.offset ? "\n" : ""}${JSON.stringify(record)}\n`;
    try {
      await fs.appendFile(file, line);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw this.directoryLost(sessionId, error);
      const cutBack = session.size === 0 ? fs.rm(file, { force: true }) : fs.truncate(file, session.size);
      await cutBack.catch((cutError: unknown) =>
        this.logger?.warn({ file, err: cutError }, "could not cut a failed append back; readers skip the torn line"),
      );
      throw error;
    }
    this.recovered();
    if (session.size > session.offset) {
      await this.refresh(sessionId); // a torn line was sealed: re-read from the last good offset
      return;
    }
    const bytes = Buffer.byteLength(line);
    applyLine(session, line.slice(0, -1), file, this.logger);
    session.offset += bytes;
    session.size += bytes;
  }

  /**
   * The directory went away under a running store (an operator cleared the data volume): nothing was written. This
   * packet gets a 503 that says so; the next write makes the directory again and the session starts from what is on
   * disk (nothing of what went with the directory).
   */
  private directoryLost(sessionId: string, error: unknown): SessionStoreUnavailableError {
    this.dirReady = null;
    this.cache.delete(sessionId);
    return new SessionStoreUnavailableError(this.name, "ENOENT: the session directory is gone", 1, { cause: error });
  }

  private async refresh(sessionId: string): Promise<SessionLog> {
    return readAppended(this.fileFor(sessionId), this.cache.get(sessionId), this.logger);
  }

  /** Runs a file-system task; a storage fault becomes SessionStoreUnavailableError and marks the store unwritable. */
  private async guard<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (error) {
      const reason = storageFault(error);
      if (reason !== null) this.failed(reason);
      throw asStoreError(error, this.name);
    }
  }

  private failed(reason: string): void {
    if (this.fault) {
      this.fault.reason = reason;
      return;
    }
    this.fault = { reason, since: new Date().toISOString() };
    this.logger?.error(
      { store: this.name, reason },
      "session store unwritable; /health is not ready until it recovers",
    );
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  private recovered(): void {
    if (!this.fault) return;
    this.logger?.info({ store: this.name, was: this.fault.reason }, "session store writable again");
    this.fault = null;
    this.stopProbe(); // the cache stays: what it holds was read from the files, which the fault did not change
  }

  private stopProbe(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
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
