/**
 * Atomic creation of generated files and folders: everything is written under a temporary sibling name and renamed
 * into place at the end, so an interrupted run never leaves a half-written model that looks present.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const TEMP_MARKER = ".tmp-";

/** A sibling temp name that carries our pid, so stale ones from dead runs can be recognised and removed. */
function tempSibling(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(
    dir,
    `.${path.basename(finalPath)}${TEMP_MARKER}${process.pid}-${crypto.randomBytes(4).toString("hex")}`,
  );
}

/** Writes a file through `write(tempPath)` then renames it over `finalPath` (same directory, so the rename is atomic). */
export function writeFileAtomically<T>(finalPath: string, write: (tempPath: string) => T): T {
  fs.mkdirSync(path.dirname(finalPath), { recursive: true });
  const temp = tempSibling(finalPath);
  try {
    const result = write(temp);
    fs.renameSync(temp, finalPath);
    return result;
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Builds a folder through `write(tempDir)` then moves it to `finalDir`, replacing an existing one. A directory cannot be
 * renamed over a non-empty one, so the old folder is first moved aside and deleted after the swap.
 */
export function writeDirAtomically<T>(finalDir: string, write: (tempDir: string) => T): T {
  fs.mkdirSync(path.dirname(finalDir), { recursive: true });
  const temp = tempSibling(finalDir);
  fs.mkdirSync(temp);
  try {
    const result = write(temp);
    let old: string | undefined;
    if (fs.existsSync(finalDir)) {
      old = tempSibling(finalDir);
      fs.renameSync(finalDir, old);
    }
    fs.renameSync(temp, finalDir);
    if (old) fs.rmSync(old, { recursive: true, force: true });
    return result;
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Removes temp siblings of `finalPath` left by runs whose process no longer exists. Returns how many were removed. */
export function removeStaleTemps(finalPath: string): number {
  const dir = path.dirname(finalPath);
  const prefix = `.${path.basename(finalPath)}${TEMP_MARKER}`;
  let removed = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split("-")[0]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
    fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
