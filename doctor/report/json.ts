import type { DoctorReport } from "../runDoctor.js";

/** The `--json` document: `{ checks, summary, fixes }` and nothing else. */
export function renderJson(report: DoctorReport): string {
  return `${JSON.stringify({ checks: report.checks, summary: report.summary, fixes: report.fixes }, null, 2)}\n`;
}
