import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUNDLED_LITE_MODEL_RELATIVE } from "../../../shared/config/bundledModels.js";
import { probeWrite } from "../../../shared/files/probeWrite.js";
import { readGgufHeader } from "../../../shared/gguf/ggufHeader.js";

/**
 * Startup self-check: the things the service needs from its container before it loads a model.
 *
 * GAIA's HA activation failed on a stale candidate image whose uid 1000 had no passwd entry: PyTorch asked for the user's
 * home to make a cache dir, got `getpwuid(): uid not found`, and the failure surfaced far from its cause. Here the service
 * checks its user, HOME, shared dirs and model up front and stops with ONE line that says what is wrong and how to fix it.
 *
 * Synchronous on purpose: it runs once, before anything listens, and a blocking check keeps the "print and exit 1" path simple.
 */
export interface SelfCheckInput {
  /** `GAIA_SHARED_DIR`: created when missing (mkdir -p); must be writable. */
  readonly sharedDir: string;
  /** Subdirectories of `sharedDir` the core writes (`SHARED_SUBDIRS`); each is created and must be writable. */
  readonly subdirs: readonly string[];
  /** `GAIA_LITE_MODEL`: must be a readable GGUF file of a version llama.cpp loads; null for a reference (`hf:…`). */
  readonly modelPath: string | null;
  /** `GAIA_MODEL_CACHE`, checked (created, writable) when the model is a reference fetched into it. */
  readonly modelCacheDir?: string | null;
  /** `GAIA_EMBED_MODEL_DIR`: optional; a problem here is only a warning (the core degrades to full-history mode). */
  readonly embedModelDir?: string | null;
}

/** `ok: false` carries one line: what is wrong, then after a colon how to fix it. Warnings never stop the service. */
export type SelfCheckResult = { ok: true; warnings: string[] } | { ok: false; problem: string };

/** Runs every check in order (user, HOME, shared dirs, model) and returns the first problem found. */
export function runSelfCheck(input: SelfCheckInput): SelfCheckResult {
  const warnings: string[] = [];
  const user = resolveUser();
  if (typeof user === "string") return fail(user);
  if (user.uid === 0) warnings.push("running as root (uid 0): the image's user is gaia (uid 1000)");

  const problem =
    checkHome(user) ??
    checkWritableDir(input.sharedDir, "shared dir", user) ??
    input.subdirs
      .map((sub) => checkWritableDir(path.join(input.sharedDir, sub), "shared dir", user))
      .find((p) => p !== null) ??
    (input.modelPath !== null
      ? checkModel(input.modelPath, user)
      : input.modelCacheDir
        ? checkWritableDir(input.modelCacheDir, "model cache (GAIA_MODEL_CACHE)", user)
        : null);
  if (problem) return fail(problem);

  const embedWarning = checkEmbedDir(input.embedModelDir);
  if (embedWarning) warnings.push(embedWarning);
  return { ok: true, warnings };
}

/** Who the process runs as; `label` is "uid 1000 (gaia)" for messages. */
interface ProcessUser {
  uid: number;
  gid: number;
  homedir: string;
  label: string;
}

/** A string result is the problem line: `os.userInfo()` throws when the uid has no passwd entry. */
function resolveUser(): ProcessUser | string {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  try {
    const info = os.userInfo();
    return { uid, gid, homedir: info.homedir, label: `uid ${uid} (${info.username})` };
  } catch (error) {
    return (
      `uid ${uid} has no passwd entry (os.userInfo: ${(error as Error).message.replace(/^A system error occurred: /, "")}): run as the image's user gaia (uid 1000) — remove the ` +
      "--user / compose `user:` override, or rebuild the image from this repo's Dockerfile, which creates gaia"
    );
  }
}

function checkHome(user: ProcessUser): string | null {
  const home = process.env.HOME || user.homedir;
  if (!home) return `HOME is not set for ${user.label}: set HOME to a writable directory (the image uses /home/gaia)`;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(home);
  } catch (error) {
    return `HOME ${home} does not exist for ${user.label} (${errorText(error)}): create it owned by ${user.uid}:${user.gid} or set HOME to a writable directory`;
  }
  if (!stat.isDirectory()) return `HOME ${home} is not a directory: set HOME to a writable directory`;
  const writeError = probeWrite(home);
  return writeError ? notWritable(`HOME ${home}`, "is not writable", home, user, writeError) : null;
}

/** mkdir -p, then write and remove a probe file. */
function checkWritableDir(dir: string, what: string, user: ProcessUser): string | null {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    return notWritable(`${what} ${dir}`, "cannot be created", dir, user, error);
  }
  const writeError = probeWrite(dir);
  return writeError ? notWritable(`${what} ${dir}`, "is not writable", dir, user, writeError) : null;
}

/** The model must pass the same header check as the doctor's, so the core never starts on a file the doctor rejects. */
function checkModel(modelPath: string, user: ProcessUser): string | null {
  const fixEnv = `set GAIA_LITE_MODEL to a .gguf file (the bundled one: \`npm run models\`, /app/${BUNDLED_LITE_MODEL_RELATIVE} in the image)`;
  const header = readGgufHeader(modelPath);
  if (header.ok) return null;
  switch (header.problem) {
    case "missing":
      return `model file ${modelPath} does not exist (${header.code ?? "ENOENT"}): ${fixEnv}`;
    case "not-a-file":
      return `model path ${modelPath} ${header.detail}: ${fixEnv}`;
    case "unreadable":
      return (
        `model file ${modelPath} is not readable by ${user.label} (${header.code ?? header.detail}): ` +
        `chmod a+r it (models are mounted read-only at /models; the files must be world-readable)`
      );
    default:
      return (
        `model file ${modelPath} is not a valid GGUF file (it ${header.detail}): ` +
        `${fixEnv}; other formats (safetensors, .bin) must be converted with llama.cpp first`
      );
  }
}

/** The embedding model is optional: without it the core runs in full-history mode, so this only warns. */
function checkEmbedDir(dir: string | null | undefined): string | null {
  if (!dir || dir === "none") return null;
  try {
    if (!fs.statSync(dir).isDirectory())
      return `embedding model path ${dir} is not a directory: history falls back to full-history mode`;
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
    return null;
  } catch (error) {
    return `embedding model dir ${dir} is not usable (${errorText(error)}): history falls back to full-history mode`;
  }
}

/** The one-line message for a dir we cannot create or write, with the fix that matches the error. */
function notWritable(subject: string, verb: string, dir: string, user: ProcessUser, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const prefix = `${subject} ${verb} by ${user.label} (${errorText(error)})`;
  switch (code) {
    case "EROFS":
      return `${prefix}: the filesystem is read-only; mount a writable volume or tmpfs at ${dir} (e.g. --tmpfs ${dir}:uid=${user.uid},gid=${user.gid})`;
    case "ENOTDIR":
    case "EEXIST":
      return `${prefix}: a file is in the way of ${dir}; remove it or point the path elsewhere`;
    case "ENOSPC":
    case "EDQUOT":
      return `${prefix}: the disk is full; free space on the volume`;
    default:
      return `${prefix}: chown -R ${user.uid}:${user.gid} the volume or recreate it with \`docker-compose down -v\``;
  }
}

/** The errno code (EACCES, ENOENT…) when there is one, else the message on one line. */
function errorText(error: unknown): string {
  const err = error as NodeJS.ErrnoException | undefined;
  const text = err?.code ?? err?.message ?? String(error);
  return text.replace(/\s+/g, " ").trim();
}

function fail(problem: string): SelfCheckResult {
  return { ok: false, problem: problem.replace(/[\r\n]+/g, " ") };
}
