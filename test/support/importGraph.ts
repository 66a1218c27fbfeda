import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Relative module specifiers in `import … from "…"`, `export … from "…"` and `import("…")` (types included). */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

/** Every `.ts` file under `dir` (repo-relative paths), skipping node_modules and dist. */
export function tsFilesUnder(repoRoot: string, dir: string): string[] {
  const abs = join(repoRoot, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const name of readdirSync(abs)) {
    if (name === "node_modules" || name === "dist") continue;
    const child = join(abs, name);
    if (statSync(child).isDirectory()) out.push(...tsFilesUnder(repoRoot, relative(repoRoot, child)));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(relative(repoRoot, child));
  }
  return out;
}

/** The repo-relative `.ts` files that `file` imports by relative path (`./x.js` resolves to `./x.ts`). */
export function importsOf(repoRoot: string, file: string): string[] {
  const source = readFileSync(join(repoRoot, file), "utf8");
  const found: string[] = [];
  for (const match of source.matchAll(SPECIFIER)) {
    const specifier = match[1] as string;
    const target = resolve(repoRoot, dirname(file), specifier.replace(/\.js$/, ".ts"));
    if (existsSync(target) && statSync(target).isFile()) found.push(relative(repoRoot, target));
  }
  return found;
}

/** Every file reachable from `roots` through relative imports (the roots included). */
export function reachableFrom(repoRoot: string, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...importsOf(repoRoot, file));
  }
  return seen;
}
