import fs from "node:fs";
import path from "node:path";

/**
 * Creates and removes a probe file in `dir`: the only honest test of "can I write here" (modes lie under ACLs, root
 * and read-only mounts). Returns null when the dir is writable, else the error (its `code` says why: EACCES, EROFS…).
 */
export function probeWrite(dir: string): NodeJS.ErrnoException | null {
  const probe = path.join(dir, `.gaia-write-probe-${process.pid}-${Date.now()}`);
  try {
    fs.writeFileSync(probe, "");
    fs.rmSync(probe, { force: true });
    return null;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}
