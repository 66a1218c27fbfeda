import fs from "node:fs";
import path from "node:path";
import type { DoctorContext } from "../context.js";
import type { FixRecord } from "../result.js";
import { inspectSharedDir, mkdirCommand, ownershipPolicy, sharedDirTarget } from "../sharedDirState.js";
import { chownTree } from "./fixOwnership.js";

/**
 * `mkdir -p` each missing shared dir and subdir. Safe: it only adds empty directories. When the doctor runs as root
 * and the owner is checked strictly (container mode or --expect-uid), what it created is handed to that uid at once,
 * so a fresh volume does not come out root-owned (the original's "permission denied", docs/original-gaia.md).
 */
export function createSharedDirs(ctx: DoctorContext): FixRecord[] {
  const records: FixRecord[] = [];
  const policy = ownershipPolicy(ctx);
  for (const location of ctx.sharedDirs) {
    if (location.path === null) continue;
    const state = inspectSharedDir(location.path);
    if (state.inaccessible !== undefined || (state.exists && !state.isDirectory)) continue; // unseen, or a file in the way: not ours
    if (state.exists && state.missingSubdirs.length === 0) continue;
    const subdirs = state.missingSubdirs.map((s) => path.join(location.path as string, s));
    const command = mkdirCommand(ctx, location.path, state.missingSubdirs, state.exists);
    const target = sharedDirTarget(ctx, location);
    try {
      // Remember what is new: only that is handed to the image's user, never a dir that was already there.
      const created: string[] = [];
      if (!state.exists) {
        const first = fs.mkdirSync(location.path, { recursive: true });
        if (first !== undefined) created.push(first);
      }
      for (const sub of subdirs) {
        fs.mkdirSync(sub, { recursive: true });
        if (state.exists) created.push(sub);
      }
      let owned = "";
      if (ctx.uid === 0 && policy.strict) {
        for (const p of created) chownTree(p, policy.uid, policy.uid);
        owned = `, owned by ${policy.uid}:${policy.uid}`;
      }
      records.push({
        id: "create-shared-dir",
        target,
        applied: true,
        message: state.exists
          ? `created ${state.missingSubdirs.join(", ")}${owned}`
          : `created the ${location.owner}'s shared dir with ${state.missingSubdirs.join(", ")}${owned}`,
        command,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const advice = code === "EACCES" || code === "EPERM" ? " (run the doctor as root, or sudo the command)" : "";
      records.push({
        id: "create-shared-dir",
        target,
        applied: false,
        message: `could not create: ${(error as Error).message}${advice}`,
        command,
      });
    }
  }
  return records;
}
