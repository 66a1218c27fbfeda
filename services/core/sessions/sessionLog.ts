import fs from "node:fs/promises";
import type { Logger } from "../../../shared/logging/logger.js";
import { answerTokensOf } from "../inference/AnswerTokens.js";
import type { SessionTurn } from "./SessionStore.js";

/** One line of a session file. */
export type SessionRecord =
  | {
      kind: "turn";
      packet_id: string;
      session_id: string;
      at: string;
      user: string;
      assistant: string;
      answer_tokens?: unknown;
      vector?: number[];
      meta?: Record<string, unknown>;
    }
  | { kind: "vector"; packet_id: string; vector: number[] };

/** What is known of one session file: the turns parsed so far and how far the file has been read. */
export interface SessionLog {
  /** Bytes of the file already parsed (always at a line boundary). */
  offset: number;
  /** File size at the last refresh: equal to `offset` when the file ends with a complete line (or is empty). */
  size: number;
  turns: SessionTurn[];
  byPacketId: Map<string, SessionTurn>;
}

export function emptyLog(): SessionLog {
  return { offset: 0, size: 0, turns: [], byPacketId: new Map() };
}

function reset(log: SessionLog): void {
  log.offset = 0;
  log.size = 0;
  log.turns = [];
  log.byPacketId = new Map();
}

/**
 * Brings `log` up to date with the file: parses whatever was appended since the last read, consuming only complete
 * lines (a line still being written, or torn by a crash, waits until a newline seals it). A missing file is an empty
 * session; a file that shrank was replaced and is read again from the start. Other errors are thrown as they are.
 */
export async function readAppended(file: string, log: SessionLog, logger?: Logger): Promise<SessionLog> {
  let size: number;
  try {
    size = (await fs.stat(file)).size; // one syscall when nothing changed (the common case)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      reset(log);
      return log;
    }
    throw error;
  }
  if (size < log.offset) reset(log);
  log.size = size;
  if (size === log.offset) return log;
  const handle = await fs.open(file, "r");
  try {
    const buffer = Buffer.alloc(size - log.offset);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, log.offset);
    const lastNewline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (lastNewline < 0) return log; // only a torn or in-progress line so far
    const complete = buffer.subarray(0, lastNewline).toString("utf8");
    for (const line of complete.split("\n")) applyLine(log, line, file, logger);
    log.offset += lastNewline + 1;
    return log;
  } finally {
    await handle.close();
  }
}

/** Adds one line's record to the log; a line that is not a JSON record (torn by a crash) is skipped with a warning. */
export function applyLine(log: SessionLog, line: string, file: string, logger?: Logger): void {
  if (line.trim() === "") return;
  let record: SessionRecord;
  try {
    record = JSON.parse(line) as SessionRecord;
  } catch {
    logger?.warn({ file }, "skipping a torn or corrupt line in a session file");
    return;
  }
  if (record.kind === "turn" && typeof record.packet_id === "string" && !log.byPacketId.has(record.packet_id)) {
    const answerTokens = answerTokensOf(record.answer_tokens);
    const turn: SessionTurn = {
      packetId: record.packet_id,
      sessionId: record.session_id,
      at: record.at,
      user: String(record.user ?? ""),
      assistant: String(record.assistant ?? ""),
      ...(answerTokens ? { answerTokens } : {}),
      ...(Array.isArray(record.vector) ? { vector: record.vector } : {}),
      ...(record.meta ? { meta: record.meta } : {}),
    };
    log.turns.push(turn);
    log.byPacketId.set(turn.packetId, turn);
  } else if (record.kind === "vector" && Array.isArray(record.vector)) {
    const turn = log.byPacketId.get(record.packet_id);
    if (turn && !turn.vector) turn.vector = record.vector;
  }
}

/** A small most-recently-used map of session logs (the files remain the truth). */
export class SessionLogCache {
  private readonly logs = new Map<string, SessionLog>();

  constructor(private readonly capacity: number) {}

  /** The session's log (a fresh empty one if unknown), marked most recently used. */
  get(sessionId: string): SessionLog {
    const log = this.logs.get(sessionId) ?? emptyLog();
    this.logs.delete(sessionId);
    this.logs.set(sessionId, log);
    while (this.logs.size > this.capacity) {
      const oldest = this.logs.keys().next().value;
      if (oldest === undefined) break;
      this.logs.delete(oldest);
    }
    return log;
  }

  /** Forgets one session's parsed log (its file is read afresh next time). */
  delete(sessionId: string): void {
    this.logs.delete(sessionId);
  }

  /** Forgets every parsed log (the files stay the truth). */
  clear(): void {
    this.logs.clear();
  }
}
