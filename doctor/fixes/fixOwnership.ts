import fs from "node:fs";
import path from "node:path";
import type { DoctorContext } from "../context.js";
import type { FixRecord } from "../result.js";
import { inspectSharedDir, ownershipPolicy, sharedDirTarget } from "../sharedDirState.js";
import { shellPath } from "../shellPath.js";

/**
 * `chown -R uid:uid` on a shared dir whose owner is wrong, only as root and only when ownership is checked strictly
 * (container mode or --expect-uid): on a dev machine the cores may well run as another user on purpose. Without root it
 * says the command to run. Only those dirs are touched, and symlinks are never followed.
 */
export function fixOwnership(ctx: DoctorContext): FixRecord[] {
  const policy = ownershipPolicy(ctx);
  if (!policy.strict) return [];
  const records: FixRecord[] = [];
  for (const location of ctx.sharedDirs) {
    if (location.path === null) continue;
    const state = inspectSharedDir(location.path);
    if (!state.isDirectory || state.owners.every((o) => o.uid === policy.uid)) continue;
    const command = `chown -R ${policy.uid}:${policy.uid} ${shellPath(ctx.options.cwd, location.path)}`;
    const target = sharedDirTarget(ctx, location);
    if (ctx.uid !== 0) {
      records.push({
        id: "chown-shared-dir",
        target,
        applied: false,
        message: "not root: cannot change the owner",
        command: `sudo ${command}`,
      });
      continue;
    }
    try {
      const count = chownTree(location.path, policy.uid, policy.uid);
      records.push({
        id: "chown-shared-dir",
        target,
        applied: true,
        message: `owner set to ${policy.uid}:${policy.uid} (${count} entries)`,
        command,
      });
    } catch (error) {
      records.push({
        id: "chown-shared-dir",
        target,
        applied: false,
        message: `chown failed: ${(error as Error).message}`,
        command,
      });
    }
  }
  return records;
}

/** chown -R without following symlinks (a link to /etc inside a volume must not hand /etc over). Returns entries changed. */
export function chownTree(root: string, uid: number, gid: number): number {
  let count = 0;
  const visit = (p: string) => {
    const stat = fs.lstatSync(p);
    fs.lchownSync(p, uid, gid);
    count++;
    if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
  };
  visit(root);
  return count;
}
