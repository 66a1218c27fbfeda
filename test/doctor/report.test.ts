import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { parseOptions } from "../../doctor/options.js";
import { renderJson } from "../../doctor/report/json.js";
import { renderTable } from "../../doctor/report/table.js";
import { exitCodeFor, result, summarize, summaryLine } from "../../doctor/result.js";
import { runDoctor } from "../../doctor/runDoctor.js";
import { tempDir } from "../support/processes.js";
import { closedPortUrl, makeSharedDir, parseSummaryLine, urlArgs, writeGguf } from "./support.js";

async function report(extra: string[] = []) {
  const root = tempDir("gaia-doctor-report-");
  const down = await closedPortUrl();
  const args = [
    ...urlArgs(down, down, down),
    "--mode",
    "process",
    "--shared-dir",
    makeSharedDir(path.join(root, "p")),
    "--candidate-shared-dir",
    path.join(root, "c"),
    "--model",
    writeGguf(path.join(root, "m.gguf")),
    "--expect-uid",
    String(process.getuid?.() ?? 0),
    ...extra,
  ];
  return runDoctor(parseOptions(args, {}, { cwd: root, isTTY: false }));
}

describe("summary and exit code", () => {
  it("counts by severity and maps to 0 / 1 / 2", () => {
    const pass = result("disk", "x", "a", "pass", "ok");
    const warn = result("disk", "x", "b", "warn", "hm", "do this");
    const fail = result("disk", "x", "c", "fail", "bad", "do that");
    expect(summaryLine(summarize([pass, warn, warn, fail]))).toBe("1 passed, 2 warnings, 1 failures");
    expect(exitCodeFor(summarize([pass]))).toBe(0);
    expect(exitCodeFor(summarize([pass, warn]))).toBe(1);
    expect(exitCodeFor(summarize([pass, warn, fail]))).toBe(2);
    expect(pass).not.toHaveProperty("fix");
    expect(result("disk", "x", "a", "pass", "ok", "ignored")).not.toHaveProperty("fix");
  });
});

describe("table", () => {
  it("shows a header, one row per finding with its symbol, fix hints, and the summary line last", async () => {
    const r = await report();
    const text = renderTable(r, false);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toContain("process mode");
    expect(lines.find((l) => l.startsWith("CATEGORY"))).toMatch(/^CATEGORY\s+TARGET\s+CHECK\s+RESULT\s+MESSAGE$/);
    expect(text).toMatch(/reachability\s+primary\s+health\s+✗ fail\s+unreachable/);
    expect(text).toMatch(/model\s+m\.gguf\s+gguf\s+✓ pass\s+valid GGUF v3/);
    expect(text).toMatch(/\n\s+fix: /);
    expect(text).not.toContain("\x1b[");
    const counts = parseSummaryLine(text);
    expect(counts).toEqual(r.summary);
    expect(counts.passed + counts.warnings + counts.failures).toBe(r.checks.length);
  });

  it("colours only when asked", async () => {
    const text = renderTable(await report(), true);
    expect(text).toContain("\x1b[31m✗ fail");
    expect(text).toContain("\x1b[32m✓ pass");
    expect(text.trimEnd().split("\n").at(-1)).toMatch(/^\d+ passed, \d+ warnings, \d+ failures$/);
  });

  it("lists repairs with ⟳, and what it left to the operator with the command", async () => {
    const text = renderTable(await report(["--fix"]), false);
    expect(text).toMatch(/\n⟳ candidate:c: created the candidate's shared dir/);
    expect(text).toMatch(
      /\n! candidate: not started \(process mode: the doctor does not start cores itself\); run it yourself: GAIA_ROLE=candidate PORT=\d+ GAIA_SHARED_DIR=c npm start/,
    );
  });
});

describe("json", () => {
  it("has exactly checks, summary and fixes, with counts matching the checks", async () => {
    const r = await report(["--fix"]);
    const doc = JSON.parse(renderJson(r)) as {
      checks: Array<{ severity: string }>;
      summary: Record<string, number>;
      fixes: unknown[];
    };
    expect(Object.keys(doc)).toEqual(["checks", "summary", "fixes"]);
    expect(doc.summary).toEqual({
      passed: doc.checks.filter((c) => c.severity === "pass").length,
      warnings: doc.checks.filter((c) => c.severity === "warn").length,
      failures: doc.checks.filter((c) => c.severity === "fail").length,
    });
    expect(doc.fixes.length).toBeGreaterThan(0);
    for (const check of doc.checks)
      expect(Object.keys(check).sort()).toEqual(
        expect.arrayContaining(["category", "id", "message", "severity", "target"]),
      );
  });
});
