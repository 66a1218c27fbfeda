import { createHash } from "node:crypto";

/**
 * Maps any session id (any string: "../x", "/etc/passwd", NUL bytes, 10 kB ids) to a plain file name that cannot
 * leave the sessions directory: a readable slug of safe characters plus a hash of the exact id, so two ids never share
 * a file by accident of sanitising.
 */
export function sessionFileName(sessionId: string): string {
  const slug =
    sessionId
      .replace(/[^A-Za-z0-9_-]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 48) || "session";
  const hash = createHash("sha256").update(sessionId, "utf8").digest("hex").slice(0, 16);
  return `${slug}.${hash}.jsonl`;
}
