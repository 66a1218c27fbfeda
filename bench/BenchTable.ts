/** One line of the bench report: a figure, what it is compared with, and whether the target is met. */
export interface BenchRow {
  /** Group the figure belongs to (printed as a section). */
  section: string;
  metric: string;
  /** Measured value (null when it could not be measured; `note` says why). */
  value: number | null;
  unit: string;
  /** Human-readable target, e.g. "≤ 2 ms" or "≥ 0.9"; absent for informational rows. */
  target?: string;
  /** The number compared with the target (the value itself or a ratio measured in the same run). */
  ratio?: number | null;
  /** True when the target is met; undefined for informational rows. */
  pass?: boolean;
  note?: string;
}

/** Verdict of a row as printed. */
export function verdict(row: BenchRow): string {
  if (row.target === undefined) return row.value === null ? "n/a" : "info";
  if (row.pass === undefined) return "n/a";
  return row.pass ? "PASS" : "MISS";
}

/** A row with a target `compare` (≤ or ≥ `limit`) checked against `measured`. */
export function targetRow(
  base: Omit<BenchRow, "target" | "ratio" | "pass">,
  measured: number | null,
  compare: "<=" | ">=",
  limit: number,
  targetText?: string,
): BenchRow {
  const pass = measured === null ? undefined : compare === "<=" ? measured <= limit : measured >= limit;
  return {
    ...base,
    target: targetText ?? `${compare === "<=" ? "≤" : "≥"} ${limit}`,
    ratio: measured,
    ...(pass === undefined ? {} : { pass }),
  };
}

function format(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return "—";
  const abs = Math.abs(value);
  return abs >= 1000 ? value.toFixed(0) : abs >= 100 ? value.toFixed(1) : value.toFixed(digits);
}

/** The report as a plain-text table, grouped by section. */
export function renderTable(rows: readonly BenchRow[]): string {
  const header = ["metric", "value", "target", "ratio", "result"];
  const lines: string[][] = [];
  const sections: (string | null)[] = [];
  let current: string | null = null;
  for (const row of rows) {
    if (row.section !== current) {
      current = row.section;
      sections.push(current);
      lines.push([]);
    }
    sections.push(null);
    lines.push([
      row.metric,
      row.value === null ? "—" : `${format(row.value)} ${row.unit}`.trim(),
      row.target ?? "",
      row.ratio === undefined ? "" : format(row.ratio),
      verdict(row) + (row.note ? `  (${row.note})` : ""),
    ]);
  }
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.filter((l) => l.length).map((l) => (i < 4 ? l[i]!.length : 0))),
  );
  const pad = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join("  ");
  const out = [pad(header), `${widths.map((w) => "-".repeat(w)).join("  ")}  ------`];
  for (const [i, line] of lines.entries()) {
    const section = sections[i];
    if (line.length === 0) out.push(`[${section}]`);
    else out.push(pad(line));
  }
  return out.join("\n");
}
