import fs from "node:fs";
import path from "node:path";
import { GAIA_UID, SHARED_SUBDIRS } from "../shared/config/sharedDirs.js";
import { probeWrite } from "../shared/files/probeWrite.js";
import type { DoctorContext, SharedDirLocation } from "./context.js";
import { shellPath } from "./shellPath.js";

/** What is on disk at one shared dir: the facts both the check and the fixes act on. */
export interface SharedDirState {
  path: string;
  exists: boolean;
  isDirectory: boolean;
  /** Null when the dir does not exist; otherwise whether a probe file could be created, with the error if not. */
  writable: { ok: true } | { ok: false; error: string } | null;
  /** Subdirs from SHARED_SUBDIRS that are absent (all of them when the dir itself is missing). */
  missingSubdirs: string[];
  /** The dir and its present subdirs with their owner uid. */
  owners: Array<{ path: string; uid: number }>;
  /** Set when the dir could not be looked at (e.g. EACCES on a docker volume as a normal user): nothing else is known. */
  inaccessible?: string;
}

/** Looks at a shared dir without changing anything but a probe file it removes at once. */
export function inspectSharedDir(dir: string): SharedDirState {
  const state: SharedDirState = {
    path: dir,
    exists: false,
    isDirectory: false,
    writable: null,
    missingSubdirs: [...SHARED_SUBDIRS],
    owners: [],
  };
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") state.inaccessible = code ?? (error as Error).message;
    return state;
  }
  state.exists = true;
  state.isDirectory = stat.isDirectory();
  if (!state.isDirectory) return state;
  state.owners.push({ path: dir, uid: stat.uid });
  state.missingSubdirs = [];
  for (const sub of SHARED_SUBDIRS) {
    const subPath = path.join(dir, sub);
    try {
      const s = fs.statSync(subPath);
      if (!s.isDirectory()) throw new Error("not a directory");
      state.owners.push({ path: subPath, uid: s.uid });
    } catch {
      state.missingSubdirs.push(sub);
    }
  }
  const writeError = probeWrite(dir);
  state.writable = writeError ? { ok: false, error: writeError.code ?? writeError.message } : { ok: true };
  return state;
}

/** Whose the shared dirs must be, and whether a mismatch fails. */
export interface OwnershipPolicy {
  uid: number;
  /** True in container mode (the image runs as 1000) or when --expect-uid was given; a mismatch is then a failure. */
  strict: boolean;
}

/**
 * Who must own the shared dirs: --expect-uid when given; in container mode the image's user (1000); in process mode
 * the user running the doctor, who is the one that starts the cores (npm start, start:pair). Strict (a mismatch fails)
 * in container mode or when asked; a warning otherwise.
 */
export function ownershipPolicy(ctx: DoctorContext): OwnershipPolicy {
  const uid = ctx.options.expectUid ?? (ctx.mode === "container" ? GAIA_UID : (process.getuid?.() ?? GAIA_UID));
  return { uid, strict: ctx.options.expectUid !== undefined || ctx.mode === "container" };
}

/** How reports name a shared dir: `primary:<path relative to the working dir>`, or `primary:<volume name>`. */
export function sharedDirTarget(ctx: DoctorContext, location: SharedDirLocation): string {
  if (location.path === null) return location.owner;
  return `${location.owner}:${location.volume ?? shellPath(ctx.options.cwd, location.path)}`;
}

/** The runnable command that creates `subdirs` in `dir` (and `dir` itself when it is missing). */
export function mkdirCommand(ctx: DoctorContext, dir: string, subdirs: readonly string[], dirExists: boolean): string {
  const shown = shellPath(ctx.options.cwd, dir);
  const make = `cd ${shown} && mkdir -p ${subdirs.join(" ")}`;
  return dirExists ? make : `mkdir -p ${shown} && ${make}`;
}
