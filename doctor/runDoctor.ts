import { runChecks } from "./checks/index.js";
import { type DoctorContext, gatherContext } from "./context.js";
import { repair } from "./fixes/index.js";
import type { DoctorOptions } from "./options.js";
import { type CheckResult, type FixRecord, type Summary, sortByCategory, summarize } from "./result.js";

/** One doctor run: the final findings (after repairs), their counts, and what was repaired. */
export interface DoctorReport {
  checks: CheckResult[];
  summary: Summary;
  fixes: FixRecord[];
  /** The context of the final checks (mode, services, shared dirs), for the table's header. */
  context: DoctorContext;
}

/** Checks everything; with --fix / --clear-maintenance repairs what is safe, then re-runs the affected checks. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  let ctx = await gatherContext(options);
  let checks = await runChecks(ctx);
  const fixes: FixRecord[] = [];
  if (options.fix || options.clearMaintenance) {
    const outcome = await repair(ctx, { fix: options.fix, clearMaintenance: options.clearMaintenance });
    fixes.push(...outcome.records);
    // Services report some of what was repaired (maintenance, a started candidate), so probe them again first.
    if (outcome.reprobe) {
      ctx = await gatherContext(options);
      checks = await runChecks(ctx);
    } else if (outcome.affected.size > 0) {
      ctx = await gatherContext(options);
      const rerun = await runChecks(ctx, [...outcome.affected]);
      checks = sortByCategory([...checks.filter((c) => !outcome.affected.has(c.category)), ...rerun]);
    }
  }
  return { checks, summary: summarize(checks), fixes, context: ctx };
}
