import type { DoctorContext } from "../context.js";
import type { Category, FixRecord } from "../result.js";
import { clearMaintenance } from "./clearMaintenance.js";
import { createSharedDirs } from "./createSharedDirs.js";
import { fixOwnership } from "./fixOwnership.js";
import { startCandidate } from "./startCandidate.js";

/** What the repairs did, and which checks must be run again to show the result. */
export interface RepairOutcome {
  records: FixRecord[];
  /** Categories whose findings may have changed. */
  affected: Set<Category>;
  /** True when a service was started: every probe and check must be redone. */
  reprobe: boolean;
}

/**
 * The safe repairs, in dependency order: dirs first (a candidate needs its volume), then their owner, then the
 * maintenance flag (only when asked), then the candidate. A core is never restarted: a busy core may be mid-turn
 * (the original's --fix restarted it).
 */
export async function repair(
  ctx: DoctorContext,
  what: { fix: boolean; clearMaintenance: boolean },
): Promise<RepairOutcome> {
  const outcome: RepairOutcome = { records: [], affected: new Set(), reprobe: false };
  const add = (records: FixRecord[], categories: Category[]) => {
    outcome.records.push(...records);
    if (records.some((r) => r.applied)) for (const c of categories) outcome.affected.add(c);
  };
  if (what.fix) {
    add(createSharedDirs(ctx), ["shared-dirs", "disk"]);
    add(fixOwnership(ctx), ["shared-dirs"]);
  }
  if (what.clearMaintenance) add(clearMaintenance(ctx), ["maintenance"]);
  if (what.fix) {
    const started = await startCandidate(ctx);
    add(started, []);
    if (started.some((r) => r.applied)) outcome.reprobe = true;
  }
  return outcome;
}
