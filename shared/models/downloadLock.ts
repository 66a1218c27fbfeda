import fs from "node:fs";
import os from "node:os";

/** What the lock file says: who downloads, and how far it got (a waiting core shows the same progress). */
export interface DownloadLockState {
  owner: string;
  bytesDone: number;
  bytesTotal: number | null;
}

/** How often the owner rewrites the lock file; a lock not rewritten for `staleMs` belongs to a dead core. */
const HEARTBEAT_MS = 1000;
/** Progress reaches the lock file at most this often (a waiting core polls it). */
const PROGRESS_WRITE_MS = 200;

/**
 * One download per model in a cache shared by several cores (the pair's volume): a lock file created exclusively
 * (O_EXCL), rewritten every second with the progress while its owner downloads. A lock whose file has not changed for
 * `staleMs` is left over from a core that died (a kill, a power cut: no `finally` ran) and is taken over.
 */
export class DownloadLock {
  private state: DownloadLockState;
  private readonly timer: ReturnType<typeof setInterval>;
  private released = false;
  private writtenAt = 0;

  private constructor(private readonly file: string) {
    this.state = { owner: `${os.hostname()}:${process.pid}`, bytesDone: 0, bytesTotal: null };
    this.timer = setInterval(() => this.write(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Takes the lock, or returns null while another live core holds it (a stale one is removed first). */
  static tryAcquire(file: string, staleMs: number): DownloadLock | null {
    // two waiters judging the same lock stale at once could remove the lock the first of them just created; with a
    // pair (one waiter) that cannot happen; if it did, two downloads would share .partial, and the check before the
    // rename still keeps a bad file out of the cache
    if (DownloadLock.isStale(file, staleMs)) fs.rmSync(file, { force: true });
    try {
      fs.writeFileSync(file, "{}", { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return null;
      throw error;
    }
    const lock = new DownloadLock(file);
    lock.write();
    return lock;
  }

  /** The holder's progress, or null when there is no lock (the download ended one way or another). */
  static read(file: string): DownloadLockState | "unreadable" | null {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")) as DownloadLockState;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ENOENT" ? null : "unreadable"; // mid-rewrite
    }
  }

  static isStale(file: string, staleMs: number): boolean {
    try {
      return Date.now() - fs.statSync(file).mtimeMs > staleMs;
    } catch {
      return false;
    }
  }

  progress(bytesDone: number, bytesTotal: number): void {
    this.state = { ...this.state, bytesDone, bytesTotal };
    if (Date.now() - this.writtenAt >= PROGRESS_WRITE_MS) this.write();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    fs.rmSync(this.file, { force: true });
  }

  private write(): void {
    if (this.released) return;
    this.writtenAt = Date.now();
    try {
      fs.writeFileSync(this.file, JSON.stringify(this.state));
    } catch {
      // a full disk fails the download itself; a missed heartbeat only risks a peer taking over later
    }
  }
}
