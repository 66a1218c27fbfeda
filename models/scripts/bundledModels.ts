/**
 * Where the bundled models live and how to make sure they exist: generate when missing or made by an older generator,
 * otherwise leave them alone. Shared by the `ensureModels` CLI and the tests.
 */
import fs from "node:fs";
import path from "node:path";
import {
  BUNDLED_BIGRAM_MODEL_RELATIVE,
  BUNDLED_QWEN3_THINK_MODEL_RELATIVE,
  BUNDLED_QWEN3_TOOLS_MODEL_RELATIVE,
} from "../../shared/config/bundledModels.js";
import { readGgufHeader } from "../../shared/gguf/ggufHeader.js";
import { removeStaleTemps, writeDirAtomically, writeFileAtomically } from "./atomicOutput.js";
import { type BigramModelSummary, type BigramVariant, bigramModelStamp, makeBigramModel } from "./makeBigramModel.js";
import {
  EMBED_FIXTURE_FILES,
  type EmbedFixtureSummary,
  embedFixtureStamp,
  makeEmbedFixture,
} from "./makeEmbedFixture.js";
import { type LiteModelSummary, liteModelStamp, type MakeLiteModelOptions, makeLiteModel } from "./makeLiteModel.js";

/** Repo-relative path of each bigram variant's bundled file. */
export const BUNDLED_BIGRAM_VARIANT_RELATIVE: Readonly<Record<BigramVariant, string>> = {
  bigram: BUNDLED_BIGRAM_MODEL_RELATIVE,
  "qwen3-think": BUNDLED_QWEN3_THINK_MODEL_RELATIVE,
  "qwen3-tools": BUNDLED_QWEN3_TOOLS_MODEL_RELATIVE,
};

/** How one ensure call ended. */
export type EnsureStatus = "generated" | "regenerated" | "present";

/** Result of ensuring one model. */
export interface EnsureResult<Summary> {
  path: string;
  status: EnsureStatus;
  /** Generation time; 0 when already present. */
  ms: number;
  /** Set when something was generated. */
  summary?: Summary;
}

/** Whether `filePath` is a valid GGUF that is one of ours with exactly this generator stamp (in its first 8 KiB). */
function ggufHasStamp(filePath: string, stamp: string): "missing" | "stale" | "current" {
  const header = readGgufHeader(filePath);
  if (!header.ok) return header.problem === "missing" ? "missing" : "stale";
  const fd = fs.openSync(filePath, "r");
  try {
    const head = Buffer.alloc(8192);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).includes(Buffer.from(stamp, "utf8")) ? "current" : "stale";
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes sure a GGUF with these options exists at `filePath`; regenerates when forced, missing or stale. */
export function ensureLiteModel(
  filePath: string,
  options: Omit<MakeLiteModelOptions, "outPath"> = {},
  force = false,
): EnsureResult<LiteModelSummary> {
  removeStaleTemps(filePath);
  const state = ggufHasStamp(filePath, liteModelStamp(options));
  if (state === "current" && !force) return { path: filePath, status: "present", ms: 0 };
  const started = performance.now();
  const summary = writeFileAtomically(filePath, (temp) => makeLiteModel({ ...options, outPath: temp }));
  return {
    path: filePath,
    status: state === "missing" ? "generated" : "regenerated",
    ms: performance.now() - started,
    summary,
  };
}

/** Makes sure a bigram-variant GGUF exists at `filePath`; regenerates when forced, missing or stale. */
export function ensureBigramModel(
  filePath: string,
  variant: BigramVariant = "bigram",
  force = false,
): EnsureResult<BigramModelSummary> {
  removeStaleTemps(filePath);
  const state = ggufHasStamp(filePath, bigramModelStamp(variant));
  if (state === "current" && !force) return { path: filePath, status: "present", ms: 0 };
  const started = performance.now();
  const summary = writeFileAtomically(filePath, (temp) => makeBigramModel({ outPath: temp, variant }));
  return {
    path: filePath,
    status: state === "missing" ? "generated" : "regenerated",
    ms: performance.now() - started,
    summary,
  };
}

/** Says whether `dir` holds a complete fixture made by this generator version. */
function embedFixtureState(dir: string): "missing" | "stale" | "current" {
  if (!fs.existsSync(dir)) return "missing";
  if (!EMBED_FIXTURE_FILES.every((f) => fs.existsSync(path.join(dir, f)))) return "stale";
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as { gaia_generator?: unknown };
    return config.gaia_generator === embedFixtureStamp() ? "current" : "stale";
  } catch {
    return "stale";
  }
}

/** Makes sure the embedding fixture exists at `dir`; regenerates when forced, missing, incomplete or stale. */
export function ensureEmbedFixture(dir: string, force = false): EnsureResult<EmbedFixtureSummary> {
  removeStaleTemps(dir);
  const state = embedFixtureState(dir);
  if (state === "current" && !force) return { path: dir, status: "present", ms: 0 };
  const started = performance.now();
  try {
    const summary = writeDirAtomically(dir, (temp) => makeEmbedFixture({ outDir: temp }));
    return {
      path: dir,
      status: state === "missing" ? "generated" : "regenerated",
      ms: performance.now() - started,
      summary,
    };
  } catch (error) {
    // Another process may have moved its complete copy into place between our check and our rename.
    if (!force && embedFixtureState(dir) === "current") return { path: dir, status: "present", ms: 0 };
    throw error;
  }
}
