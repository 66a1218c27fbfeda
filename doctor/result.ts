/** How bad a check's finding is; the doctor's exit code is the worst one. */
export type Severity = "pass" | "warn" | "fail";

/** The check categories, in the order the doctor runs and prints them. */
const CATEGORIES = [
  "reachability",
  "role",
  "model",
  "embedding",
  "fallback",
  "shared-dirs",
  "maintenance",
  "build-drift",
  "api-keys",
  "exposure",
  "queue",
  "disk",
] as const;

export type Category = (typeof CATEGORIES)[number];

/** One finding of one check about one target (a service, a dir, a file). */
export interface CheckResult {
  /** Short kebab-case name of the check, unique within its category and target (e.g. `health`, `subdir-sessions`). */
  id: string;
  category: Category;
  /** What was checked: a service name (`primary`, `candidate`, `gateway`), a path, or `deployment`. */
  target: string;
  severity: Severity;
  /** One line saying what was found. */
  message: string;
  /** One line saying what would make it pass (a command or a setting), for warnings and failures. */
  fix?: string;
}

/** Something `--fix` did, or would have done and tells the operator to do instead. */
export interface FixRecord {
  /** Which repair this was (`create-shared-dir`, `chown-shared-dir`, `start-candidate`, `clear-maintenance`). */
  id: string;
  target: string;
  /** True when the doctor changed something; false when it only says what to run. */
  applied: boolean;
  /** What was done or what failed, one line. */
  message: string;
  /** The exact command run, or to run by hand. */
  command?: string;
}

/** Counts shown in the summary line and the JSON summary. */
export interface Summary {
  passed: number;
  warnings: number;
  failures: number;
}

/** Builds a result; `fix` is dropped for passes so the JSON stays clean. */
export function result(
  category: Category,
  target: string,
  id: string,
  severity: Severity,
  message: string,
  fix?: string,
): CheckResult {
  return severity === "pass" || fix === undefined
    ? { id, category, target, severity, message }
    : { id, category, target, severity, message, fix };
}

/** Counts results by severity. */
export function summarize(results: readonly CheckResult[]): Summary {
  const summary: Summary = { passed: 0, warnings: 0, failures: 0 };
  for (const r of results) {
    if (r.severity === "pass") summary.passed++;
    else if (r.severity === "warn") summary.warnings++;
    else summary.failures++;
  }
  return summary;
}

/** The one summary line, exactly `N passed, N warnings, N failures`. */
export function summaryLine(summary: Summary): string {
  return `${summary.passed} passed, ${summary.warnings} warnings, ${summary.failures} failures`;
}

/** Exit codes, as the original's doctor: 0 all pass, 1 warnings only, 2 any failure, 3 usage error. */
export const EXIT = { ok: 0, warnings: 1, failures: 2, usage: 3 } as const;

/** The exit code for a set of results. */
export function exitCodeFor(summary: Summary): number {
  if (summary.failures > 0) return EXIT.failures;
  if (summary.warnings > 0) return EXIT.warnings;
  return EXIT.ok;
}

/** Orders results by category (in {@link CATEGORIES} order), keeping each category's own order. */
export function sortByCategory(results: readonly CheckResult[]): CheckResult[] {
  return [...results].sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category));
}
