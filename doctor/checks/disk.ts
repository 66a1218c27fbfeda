import fs from "node:fs";
import path from "node:path";
import type { DoctorContext } from "../context.js";
import { type CheckResult, result, type Severity } from "../result.js";
import { shellPath } from "../shellPath.js";

/** Used-space thresholds, as the original's `df` check: under 85 % passes, under 95 % warns, else fails. */
const DISK_WARN_PERCENT = 85;
const DISK_FAIL_PERCENT = 95;

/** Severity for a used percentage. */
export function diskSeverity(usedPercent: number): Severity {
  if (usedPercent < DISK_WARN_PERCENT) return "pass";
  if (usedPercent < DISK_FAIL_PERCENT) return "warn";
  return "fail";
}

/** Used percentage as `df` shows it: used / (used + available to unprivileged users). */
export function usedPercent(stats: Pick<fs.StatsFs, "blocks" | "bfree" | "bavail">): number {
  const used = stats.blocks - stats.bfree;
  const total = used + stats.bavail;
  return total <= 0 ? 0 : (used / total) * 100;
}

/** Free space on the filesystem of each shared dir (each filesystem once). A missing dir is measured at its nearest parent. */
export function checkDisk(ctx: DoctorContext): CheckResult[] {
  const seen = new Set<number>();
  const out: CheckResult[] = [];
  for (const location of ctx.sharedDirs) {
    if (location.path === null) continue;
    const existing = nearestExisting(location.path);
    let dev: number;
    let stats: fs.StatsFs;
    try {
      dev = fs.statSync(existing).dev;
      stats = fs.statfsSync(existing);
    } catch (error) {
      out.push(
        result("disk", location.owner, "free-space", "warn", `cannot measure ${existing}: ${(error as Error).message}`),
      );
      continue;
    }
    if (seen.has(dev)) continue;
    seen.add(dev);
    const pct = usedPercent(stats);
    const free = (stats.bavail * stats.bsize) / 1024 ** 3;
    const severity = diskSeverity(pct);
    out.push(
      result(
        "disk",
        location.volume ?? shellPath(ctx.options.cwd, existing),
        "free-space",
        severity,
        `${pct.toFixed(0)}% used, ${free.toFixed(1)} GiB free (${ctx.sharedDirs
          .filter((d) => d.path !== null && sameDev(d.path, dev))
          .map((d) => d.owner)
          .join(" + ")} shared data)`,
        severity === "pass"
          ? undefined
          : "free space: old sessions under <shared>/sessions, docker images (docker system prune)",
      ),
    );
  }
  return out;
}

function nearestExisting(p: string): string {
  let current = path.resolve(p);
  while (!fs.existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

function sameDev(p: string, dev: number): boolean {
  try {
    return fs.statSync(nearestExisting(p)).dev === dev;
  } catch {
    return false;
  }
}
