import { createHash, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import { ConfigError } from "../config/env.js";

/** Compares two digests in constant time; both are SHA-256, so their lengths are always equal. */
export type DigestComparator = (a: Buffer, b: Buffer) => boolean;

const digest = (key: string) => createHash("sha256").update(key, "utf8").digest();

/**
 * The API keys a service accepts. Keys are held only as SHA-256 digests: a presented key is hashed too, so every
 * comparison is between equal-length buffers (timingSafeEqual needs that, and the key's length leaks nothing), and it
 * is compared with every configured key without stopping at the first match.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(
    keys: readonly string[],
    private readonly compare: DigestComparator = timingSafeEqual,
  ) {
    if (keys.length === 0) throw new RangeError("ApiKeys needs at least one key");
    this.digests = keys.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  /** True when `presented` is one of the keys. */
  accepts(presented: string): boolean {
    const candidate = digest(presented);
    let matched = false;
    for (const known of this.digests) matched = this.compare(candidate, known) || matched;
    return matched;
  }
}

/** Splits a key list: commas or new lines, blanks and `#` comment lines ignored. */
export function parseKeyList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((k) => k.trim())
    .filter((k) => k !== "" && !k.startsWith("#"));
}

/**
 * The keys from `GAIA_API_KEYS` (comma list) or `GAIA_API_KEYS_FILE` (one per line or comma list), or null when
 * neither is set (the service is open). A value of only separators counts as unset, so compose can join two optional
 * variables (`${A:-},${B:-}`). Setting both, an unreadable file, or a file with no key is a ConfigError: a service
 * that was meant to be locked must never start open.
 */
export function apiKeysFromEnv(env: NodeJS.ProcessEnv = process.env): ApiKeys | null {
  const inline = parseKeyList(env.GAIA_API_KEYS ?? "").join(",");
  const file = env.GAIA_API_KEYS_FILE?.trim() ?? "";
  if (inline && file) throw new ConfigError(["GAIA_API_KEYS, GAIA_API_KEYS_FILE: set one of them, not both"]);
  if (!inline && !file) return null;
  let text = inline;
  if (file) {
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError([`GAIA_API_KEYS_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`]);
    }
  }
  const keys = parseKeyList(text);
  if (keys.length === 0) throw new ConfigError([`GAIA_API_KEYS_FILE: no key in ${file}`]);
  return new ApiKeys(keys);
}
