import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../../shared/logging/logger.js";
import type { SessionTurn } from "./SessionStore.js";
import { sessionFileName } from "./sessionFileName.js";
import { readAppended, SessionLogCache } from "./sessionLog.js";

/** Whether the peer's sessions can be read right now; shown by /health. */
export interface PeerSessionsStatus {
  dir: string;
  readable: boolean;
  /** Why not, while unreadable ("missing", "EACCES: permission denied"…). */
  reason?: string;
  /** ISO time of the last change between readable and unreadable. */
  since: string;
}

export interface PeerSessionReaderOptions {
  /** The peer core's sessions directory (its volume, mounted read-only here). */
  dir: string;
  logger?: Logger;
  cacheSize?: number;
}

/**
 * Reads the other core's session files, never writes them. The peer appends while we read, or died mid-write: only
 * complete lines are taken (a torn last line is skipped), and a missing or unreadable directory means "no peer
 * history", never an error: load() then answers [] and the status says why (logged once per change).
 */
export class PeerSessionReader {
  private readonly cache: SessionLogCache;
  private state: PeerSessionsStatus;

  constructor(private readonly options: PeerSessionReaderOptions) {
    this.cache = new SessionLogCache(options.cacheSize ?? 256);
    this.state = { dir: options.dir, readable: true, since: new Date().toISOString() };
  }

  status(): PeerSessionsStatus {
    return { ...this.state };
  }

  /** The peer's turns of a session in file order; [] when the peer has none or cannot be read. Never throws. */
  async load(sessionId: string): Promise<SessionTurn[]> {
    const file = path.join(this.options.dir, sessionFileName(sessionId));
    try {
      const log = await readAppended(file, this.cache.get(sessionId), this.options.logger);
      // a missing file is a session the peer never saw, unless the whole directory is gone
      if (log.size === 0) await fs.access(this.options.dir, fs.constants.R_OK | fs.constants.X_OK);
      this.mark(null);
      return [...log.turns];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.mark(code === "ENOENT" ? "missing" : `${code ?? "error"}: ${(error as Error).message}`);
      return [];
    }
  }

  private mark(reason: string | null): void {
    const readable = reason === null;
    if (readable === this.state.readable && (readable || reason === this.state.reason)) return;
    const changed = readable !== this.state.readable;
    this.state = {
      dir: this.options.dir,
      readable,
      ...(reason === null ? {} : { reason }),
      since: changed ? new Date().toISOString() : this.state.since,
    };
    if (readable) this.options.logger?.info({ peer_sessions: this.options.dir }, "peer session history readable again");
    else
      this.options.logger?.warn(
        { peer_sessions: this.options.dir, reason },
        "peer session history unavailable: answering from this core's own history only",
      );
  }
}
