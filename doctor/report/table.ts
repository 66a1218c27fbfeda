import path from "node:path";
import { summaryLine } from "../result.js";
import type { DoctorReport } from "../runDoctor.js";
import { paint, SEVERITY_COLOUR, SYMBOL } from "./symbols.js";

/** Column cap: longer cells are kept whole and push the rest of their row right, rather than being cut. */
const MAX_COLUMN = 48;

/**
 * The human report: a header naming the mode and what was checked, one row per finding (category, target, check,
 * result, message) with the fix hint under warnings and failures, the repairs (⟳), and last the summary line.
 */
export function renderTable(report: DoctorReport, color: boolean): string {
  const ctx = report.context;
  const lines: string[] = [];
  const dim = (s: string) => paint(color, "dim", s);
  lines.push(paint(color, "bold", "gaia-doctor") + dim(` · ${ctx.mode} mode (${ctx.modeReason}) · ${ctx.options.cwd}`));
  lines.push(dim(`services: ${ctx.registry.map((s) => `${s.name} ${s.url}`).join(" · ")}`));
  lines.push(
    dim(
      `shared dirs: ${ctx.sharedDirs
        .map(
          (d) =>
            `${d.owner} ${d.path === null ? "(not located)" : relative(ctx.options.cwd, d.path)} [${d.volume !== undefined ? `volume ${d.volume}` : d.source}]`,
        )
        .join(" · ")}`,
    ),
  );
  lines.push("");

  const header = ["CATEGORY", "TARGET", "CHECK", "RESULT", "MESSAGE"] as const;
  const rows = report.checks.map(
    (c) => [c.category, c.target, c.id, `${SYMBOL[c.severity]} ${c.severity}`, c.message] as const,
  );
  const widths = [0, 1, 2, 3].map((i) =>
    Math.min(MAX_COLUMN, Math.max(header[i]?.length ?? 0, ...rows.map((r) => r[i]?.length ?? 0))),
  );
  const pad = (text: string, i: number) => text.padEnd(widths[i] ?? 0);
  const indent = widths.reduce((a, w) => a + w + 2, 0);

  lines.push(paint(color, "bold", header.map((h, i) => (i < 4 ? pad(h, i) : h)).join("  ")));
  report.checks.forEach((check, n) => {
    const row = rows[n];
    if (row === undefined) return;
    const cells = row.map((cell, i) => (i < 4 ? pad(cell, i) : cell));
    cells[3] = paint(color, SEVERITY_COLOUR[check.severity], cells[3] ?? "");
    lines.push(cells.join("  "));
    if (check.fix !== undefined && check.severity !== "pass") lines.push(" ".repeat(indent) + dim(`fix: ${check.fix}`));
  });

  if (report.fixes.length > 0) {
    lines.push("");
    lines.push(paint(color, "bold", "Repairs"));
    for (const fix of report.fixes) {
      const command = fix.command !== undefined ? ` [${fix.command}]` : "";
      lines.push(
        fix.applied
          ? `${paint(color, "cyan", SYMBOL.repair)} ${fix.target}: ${fix.message}${dim(command)}`
          : `${paint(color, "yellow", SYMBOL.warn)} ${fix.target}: ${fix.message}${fix.command !== undefined ? `: ${fix.command}` : ""}`,
      );
    }
  }

  lines.push("");
  lines.push(summaryLine(report.summary));
  return `${lines.join("\n")}\n`;
}

function relative(cwd: string, p: string): string {
  const rel = path.relative(cwd, p);
  return rel !== "" && !rel.startsWith("..") ? rel : p;
}
