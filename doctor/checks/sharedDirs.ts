import path from "node:path";
import { SHARED_SUBDIRS } from "../../shared/config/sharedDirs.js";
import type { DoctorContext, SharedDirLocation } from "../context.js";
import { type CheckResult, result } from "../result.js";
import { inspectSharedDir, mkdirCommand, ownershipPolicy, sharedDirTarget } from "../sharedDirState.js";
import { shellPath } from "../shellPath.js";

/**
 * Each core's shared dir (its own volume): exists, writable, has every subdir the core writes, owned by the image's
 * user. The original's candidate volume failed on exactly this (docs/original-gaia.md).
 */
export function checkSharedDirs(ctx: DoctorContext): CheckResult[] {
  return ctx.sharedDirs.flatMap((location) => checkOne(ctx, location));
}

function checkOne(ctx: DoctorContext, location: SharedDirLocation): CheckResult[] {
  const target = sharedDirTarget(ctx, location);
  const r = (id: string, severity: CheckResult["severity"], message: string, fix?: string) =>
    result("shared-dirs", target, id, severity, message, fix);
  const flag = location.owner === "primary" ? "--shared-dir" : "--candidate-shared-dir";

  if (location.path === null) {
    return [
      r(
        "located",
        "warn",
        `cannot locate the ${location.owner}'s shared dir: ${location.note ?? "unknown"}`,
        `pass ${flag} <host path of its volume>`,
      ),
    ];
  }
  const out: CheckResult[] = [];
  if (location.note !== undefined) {
    out.push(
      r(
        "located",
        "warn",
        `checking ${location.path} (${location.source}) but ${location.note}`,
        `pass ${flag} with the dir the core uses`,
      ),
    );
  }
  const state = inspectSharedDir(location.path);
  if (state.inaccessible !== undefined) {
    out.push(
      r(
        "exists",
        "warn",
        `cannot look at it: ${state.inaccessible}`,
        "run the doctor as root (sudo) to check and repair it",
      ),
    );
    return out;
  }
  if (!state.exists) {
    out.push(
      r(
        "exists",
        "fail",
        `missing (${location.source})`,
        `gaia-doctor --fix (${mkdirCommand(ctx, location.path, SHARED_SUBDIRS, false)})`,
      ),
    );
    return out;
  }
  if (!state.isDirectory) {
    out.push(
      r(
        "exists",
        "fail",
        "exists but is not a directory",
        `move it away; the ${location.owner} needs a directory here`,
      ),
    );
    return out;
  }
  out.push(r("exists", "pass", `present (${location.source})`));

  if (state.writable?.ok === false) {
    out.push(
      r(
        "writable",
        "fail",
        `not writable by uid ${ctx.uid ?? "?"}: ${state.writable.error}`,
        "fix its ownership (see owner) or mount it read-write",
      ),
    );
  } else {
    out.push(r("writable", "pass", "writable (probe file created and removed)"));
  }

  if (state.missingSubdirs.length > 0) {
    out.push(
      r(
        "subdirs",
        "fail",
        `missing ${state.missingSubdirs.join(", ")}`,
        `gaia-doctor --fix (${mkdirCommand(ctx, location.path, state.missingSubdirs, true)})`,
      ),
    );
  } else {
    out.push(r("subdirs", "pass", `all ${SHARED_SUBDIRS.length} present (${SHARED_SUBDIRS.join(", ")})`));
  }

  const policy = ownershipPolicy(ctx);
  const wrong = state.owners.filter((o) => o.uid !== policy.uid);
  if (wrong.length === 0) {
    out.push(r("owner", "pass", `owned by uid ${policy.uid}`));
  } else {
    const uids = [...new Set(wrong.map((o) => o.uid))].join(", ");
    const which = wrong.map((o) => path.relative(location.path as string, o.path) || ".").join(", ");
    const chown = `chown -R ${policy.uid}:${policy.uid} ${shellPath(ctx.options.cwd, location.path)}`;
    const fix =
      ctx.uid === 0
        ? policy.strict
          ? `gaia-doctor --fix${ctx.options.expectUid !== undefined ? ` --expect-uid ${policy.uid}` : ""} (${chown})`
          : `gaia-doctor --fix --expect-uid ${policy.uid} (${chown})`
        : `sudo ${chown}`;
    const context = policy.strict ? "" : `; fine if the cores run as uid ${uids}, but the image runs as ${policy.uid}`;
    out.push(
      r("owner", policy.strict ? "fail" : "warn", `owned by uid ${uids}, not ${policy.uid} (${which})${context}`, fix),
    );
  }
  return out;
}
