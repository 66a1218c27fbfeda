// The compiled doctor as a child process (build first: npx tsc -p tsconfig.build.json).

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { SHARED_SUBDIRS } from "../../shared/config/sharedDirs.js";
import { tempDir } from "../support/processes.js";
import {
  closedPortUrl,
  coreBody,
  DOCTOR_ENTRY,
  gatewayBody,
  makeSharedDir,
  parseSummaryLine,
  runDoctorCli,
  type StandIn,
  standIn,
  urlArgs,
  writeGguf,
} from "./support.js";

let primary: StandIn;
let candidate: StandIn;
let gateway: StandIn;

beforeAll(async () => {
  if (!fs.existsSync(DOCTOR_ENTRY)) throw new Error(`${DOCTOR_ENTRY} missing: run npx tsc -p tsconfig.build.json`);
  primary = await standIn(200, coreBody());
  candidate = await standIn(200, coreBody({ role: "candidate" }));
  gateway = await standIn(200, {});
  gateway.set(200, gatewayBody(primary.url, candidate.url));
});
afterAll(async () => {
  await Promise.all([primary.close(), candidate.close(), gateway.close()]);
});

/** Stand-ins that report a healthy pair using real dirs and a real GGUF under `root`; returns the doctor's args. */
function healthyArgs(root: string): string[] {
  const p = makeSharedDir(path.join(root, "p"));
  const c = makeSharedDir(path.join(root, "c"));
  const model = writeGguf(path.join(root, "m.gguf"));
  primary.set(200, coreBody({ shared_dir: p, model: { path: model, name: "tiny", loaded: true, load_ms: 20 } }));
  candidate.set(
    200,
    coreBody({ role: "candidate", shared_dir: c, model: { path: model, name: "tiny", loaded: true, load_ms: 20 } }),
  );
  return [
    ...urlArgs(primary.url, candidate.url, gateway.url),
    "--model",
    model,
    "--expect-uid",
    String(process.getuid?.() ?? 0),
  ];
}

/** Sets the candidate stand-in's body, keeping what healthyArgs gave it. */
function candidateSays(root: string, overrides: Record<string, unknown>): void {
  const model = path.join(root, "m.gguf");
  candidate.set(
    200,
    coreBody({
      role: "candidate",
      shared_dir: path.join(root, "c"),
      model: { path: model, name: "tiny", loaded: true, load_ms: 20 },
      ...overrides,
    }),
  );
}

describe("gaia-doctor CLI", () => {
  it("exits 0 with every check passing on a healthy deployment", async () => {
    const root = tempDir("gaia-doctor-cli-");
    const run = await runDoctorCli(healthyArgs(root), { cwd: root });
    expect(run.stderr).toBe("");
    const counts = parseSummaryLine(run.stdout);
    expect(counts).toMatchObject({ warnings: 0, failures: 0 });
    expect(counts.passed).toBeGreaterThanOrEqual(15);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("\x1b["); // stdout is a pipe: no colour
  });

  it("exits 1 on warnings only, 2 on any failure", async () => {
    const root = tempDir("gaia-doctor-cli-");
    const args = healthyArgs(root);
    candidateSays(root, { build_id: "other" });
    const warned = await runDoctorCli(args, { cwd: root });
    expect(parseSummaryLine(warned.stdout)).toMatchObject({ warnings: 1, failures: 0 });
    expect(warned.stdout).toMatch(/build-drift\s+primary\/candidate\s+build-id\s+! warn/);
    expect(warned.code).toBe(1);

    fs.rmSync(path.join(root, "c", "timeline"), { recursive: true });
    const failed = await runDoctorCli(args, { cwd: root });
    expect(failed.code).toBe(2);
    expect(failed.stdout).toMatch(/shared-dirs\s+candidate:c\s+subdirs\s+✗ fail\s+missing timeline/);
  });

  it("--json prints only the JSON document, and its counts match the table's summary line", async () => {
    const root = tempDir("gaia-doctor-cli-");
    const args = healthyArgs(root);
    candidateSays(root, { history_mode: "full", history_mode_reason: "GAIA_EMBED_MODEL_DIR=none" });
    const table = await runDoctorCli(args, { cwd: root });
    const json = await runDoctorCli([...args, "--json"], { cwd: root });
    const doc = JSON.parse(json.stdout) as {
      checks: unknown[];
      summary: { passed: number; warnings: number; failures: number };
      fixes: unknown[];
    };
    expect(doc.summary).toEqual(parseSummaryLine(table.stdout));
    expect(doc.summary.warnings).toBe(1);
    expect(doc.fixes).toEqual([]);
    expect(json.code).toBe(table.code);
    expect(json.code).toBe(1);
  });

  it("exits 3 on a usage error, printing to stderr only", async () => {
    for (const args of [["--nope"], ["--core-url", "::"], ["--timeout-ms", "soon"]]) {
      const run = await runDoctorCli(args);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^gaia-doctor: /);
    }
    const help = await runDoctorCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: gaia-doctor");
  });

  it("--fix creates a missing shared dir and re-runs the checks", async () => {
    const root = tempDir("gaia-doctor-cli-");
    const args = healthyArgs(root);
    fs.rmSync(path.join(root, "c"), { recursive: true });
    const before = await runDoctorCli(args, { cwd: root });
    expect(before.code).toBe(2);
    expect(before.stdout).toMatch(/shared-dirs\s+candidate:c\s+exists\s+✗ fail\s+missing \(reported\)/);

    const fixed = await runDoctorCli([...args, "--fix"], { cwd: root });
    expect(fixed.stdout).toMatch(/⟳ candidate:c: created the candidate's shared dir with sessions, council/);
    for (const sub of SHARED_SUBDIRS) expect(fs.existsSync(path.join(root, "c", sub))).toBe(true);
    expect(parseSummaryLine(fixed.stdout)).toMatchObject({ warnings: 0, failures: 0 });
    expect(fixed.code).toBe(0);
  });

  it("--fix in process mode starts nothing for a stopped candidate and prints the command", async () => {
    const root = tempDir("gaia-doctor-cli-");
    const args = healthyArgs(root).map((a) => (a === candidate.url ? "CANDIDATE" : a));
    const down = await closedPortUrl();
    const run = await runDoctorCli([...args.map((a) => (a === "CANDIDATE" ? down : a)), "--fix", "--json"], {
      cwd: root,
    });
    const doc = JSON.parse(run.stdout) as {
      checks: Array<{ target: string; category: string; severity: string }>;
      fixes: Array<{ id: string; applied: boolean; command?: string }>;
    };
    expect(doc.checks.find((c) => c.category === "reachability" && c.target === "candidate")?.severity).toBe("fail");
    const port = new URL(down).port;
    expect(doc.fixes).toContainEqual({
      id: "start-candidate",
      target: "candidate",
      applied: false,
      message: "not started (process mode: the doctor does not start cores itself); run it yourself",
      command: `GAIA_ROLE=candidate PORT=${port} GAIA_SHARED_DIR=.data/candidate npm start`,
    });
    expect(run.code).toBe(2);
  });
});
