import fs from "node:fs";
import path from "node:path";

let cached: string | undefined;

/**
 * The repository (or image `/app`) root: the nearest ancestor of this module holding package.json.
 * Works the same from the TypeScript sources (tests) and from dist/ (production).
 */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = import.meta.dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
