import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readGgufHeader } from "../gguf/ggufHeader.js";

/** The record written last, once every file of a model is verified and in place: the cache's commit marker. */
export interface CachedModelRecord {
  uri: string;
  /** File names in the model's folder, the entry point (the file to load) first; with their sizes. */
  files: Array<{ name: string; bytes: number }>;
  verifiedAt: string;
}

const RECORD_NAME = "model.json";

/**
 * The folder of one reference in the cache: readable (`hf_user_repo_Q4_K_M`) plus a hash of the exact reference, so
 * two references whose files share a name never overwrite each other.
 */
export function modelFolder(cacheDir: string, uri: string): string {
  const slug = uri
    .replace(/^[a-z]+:\/*/i, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .slice(0, 80);
  const hash = createHash("sha256").update(uri).digest("hex").slice(0, 10);
  return path.join(cacheDir, `${slug}-${hash}`);
}

/** The file to load for `uri` when the cache already holds it, complete and verified; null otherwise. No network. */
export function findCachedModel(folder: string): string | null {
  let record: CachedModelRecord;
  try {
    record = JSON.parse(fs.readFileSync(path.join(folder, RECORD_NAME), "utf8")) as CachedModelRecord;
  } catch {
    return null;
  }
  const intact = record.files.every(({ name, bytes }) => {
    const file = path.join(folder, name);
    return fs.statSync(file, { throwIfNoEntry: false })?.size === bytes && readGgufHeader(file).ok;
  });
  const entry = record.files[0];
  return intact && entry ? path.join(folder, entry.name) : null;
}

/** Writes the record atomically (temp name, then rename): a reader sees no record or a whole one. */
export function recordCachedModel(folder: string, record: CachedModelRecord): void {
  const temp = path.join(folder, `.${RECORD_NAME}.${process.pid}.tmp`);
  fs.writeFileSync(temp, JSON.stringify(record, null, 2));
  fs.renameSync(temp, path.join(folder, RECORD_NAME));
}
