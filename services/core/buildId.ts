import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(js|ts)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/**
 * Identifies the code a core runs, so the doctor can tell primary/candidate drift (the original compared files by hand).
 * GAIA_BUILD_ID wins (the image bakes it in); otherwise a hash of the core's and shared code, which is the same for
 * two processes started from the same checkout or image.
 */
export function computeBuildId(explicit: string | null, version: string): string {
  if (explicit) return explicit;
  const coreDir = import.meta.dirname;
  const sharedDir = path.resolve(coreDir, "../../shared");
  const hash = createHash("sha256").update(version);
  for (const file of [...listFiles(coreDir), ...listFiles(sharedDir)]) {
    hash.update(path.relative(coreDir, file)).update(fs.readFileSync(file));
  }
  return `${version}+${hash.digest("hex").slice(0, 12)}`;
}
