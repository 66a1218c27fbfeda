import path from "node:path";

/** A path as short as it can be said from `cwd`, quoted for a POSIX shell when it needs to be. */
export function shellPath(cwd: string, target: string): string {
  const rel = path.relative(cwd, target);
  const shown = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : target;
  return /^[\w./@%+=:,-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}
