// The doctor against the real thing: two spawned cores (dist/services/core/main.js on the bundled GGUF) and the real
// gateway (dist/services/web/main.js) in front of them. Build first: npx tsc -p tsconfig.build.json; npm run models.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { checkBuildDrift } from "../../doctor/checks/buildDrift.js";
import { checkEmbedding } from "../../doctor/checks/embedding.js";
import { parseOptions } from "../../doctor/options.js";
import { runDoctor } from "../../doctor/runDoctor.js";
import { SHARED_SUBDIRS } from "../../shared/config/sharedDirs.js";
import {
  BUNDLED_LITE_MODEL,
  READY_TIMEOUT_MS,
  type ServiceProcess,
  spawnCore,
  spawnService,
  tempDir,
} from "../support/processes.js";
import { context, parseSummaryLine, runDoctorCli, urlArgs } from "./support.js";

type Core = ServiceProcess & { sharedDir: string };

const myUid = String(process.getuid?.() ?? 0);
const root = tempDir("gaia-doctor-pair-");
const primaryDir = path.join(root, "primary");
const candidateDir = path.join(root, "candidate");
let primary: Core;
let candidate: Core;
let gateway: ServiceProcess;
const started: ServiceProcess[] = [];

/** Doctor args for the pair; shared dirs are left to the doctor (it reads them from each core's /health). */
const args = () => [
  ...urlArgs(primary.url, candidate.url, gateway.url),
  "--model",
  BUNDLED_LITE_MODEL,
  "--expect-uid",
  myUid,
];

beforeAll(async () => {
  [primary, candidate] = await Promise.all([
    spawnCore({ role: "primary", sharedDir: primaryDir, env: { GAIA_BUILD_ID: "build-a" } }),
    spawnCore({ role: "candidate", sharedDir: candidateDir, env: { GAIA_BUILD_ID: "build-a" } }),
  ]);
  started.push(primary, candidate);
  gateway = await spawnService({
    entry: "dist/services/web/main.js",
    env: {
      CORE_ENDPOINT: primary.url,
      CORE_FALLBACK_ENDPOINT: candidate.url,
      GAIA_MAINTENANCE_FLAG: path.join(primaryDir, "ha_maintenance"),
    },
  });
  started.push(gateway);
}, 2 * READY_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(started.map((s) => s.kill("SIGKILL")));
});

describe("doctor on a running pair", () => {
  it("passes every check on a healthy pair behind the real gateway (exit 0)", async () => {
    const run = await runDoctorCli(args());
    expect(run.stderr).toBe("");
    expect(parseSummaryLine(run.stdout)).toMatchObject({ warnings: 0, failures: 0 });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("process mode");
    expect(run.stdout).toMatch(/reachability\s+candidate\s+health\s+✓ pass\s+ready/);
    expect(run.stdout).toMatch(/role\s+candidate\s+role\s+✓ pass\s+reports role candidate/);
    expect(run.stdout).toContain(`serves ${BUNDLED_LITE_MODEL}`);
    expect(run.stdout).toMatch(
      /fallback\s+gateway\s+core-fallback\s+✓ pass\s+primary http:\/\/127\.0\.0\.1:\d+ \(closed\), fallback http:\/\/127\.0\.0\.1:\d+ \(closed\)/,
    );
    expect(run.stdout).toContain("same build build-a");
    expect(run.stdout).toContain(
      `shared dirs: primary ${primaryDir} [reported] · candidate ${candidateDir} [reported]`,
    );
  });

  it("--json is one valid document whose counts match the table's summary line", async () => {
    const [table, json] = await Promise.all([runDoctorCli(args()), runDoctorCli([...args(), "--json"])]);
    const doc = JSON.parse(json.stdout) as { checks: Array<{ category: string }>; summary: object; fixes: unknown[] };
    expect(doc.summary).toEqual(parseSummaryLine(table.stdout));
    expect(new Set(doc.checks.map((c) => c.category))).toEqual(
      new Set([
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
      ]),
    );
    expect(json.code).toBe(table.code);
  });

  it("warns on build drift and full-history mode (a third core: other GAIA_BUILD_ID, no embedding model)", async () => {
    const stale = await spawnCore({
      role: "candidate",
      env: { GAIA_BUILD_ID: "build-b", GAIA_EMBED_MODEL_DIR: "none" },
    });
    started.push(stale);
    try {
      const ctx = await context([...urlArgs(primary.url, stale.url, gateway.url), "--mode", "process"]);
      expect(checkBuildDrift(ctx)).toEqual([
        expect.objectContaining({
          severity: "warn",
          message: expect.stringMatching(/^primary runs build build-a v[\d.]+, candidate build-b v[\d.]+$/),
        }),
      ]);
      const embedding = checkEmbedding(ctx);
      expect(embedding.find((r) => r.target === "primary")).toMatchObject({ severity: "pass" });
      expect(embedding.find((r) => r.target === "candidate")).toMatchObject({
        severity: "warn",
        message: expect.stringMatching(/^full-history mode: .+/),
      });
    } finally {
      await stale.kill();
    }
  });

  it("warns while maintenance is on (flag seen by the gateway and the primary) and clears it only on --clear-maintenance", async () => {
    const flag = path.join(primaryDir, "ha_maintenance");
    fs.writeFileSync(flag, new Date().toISOString());
    try {
      const options = (extra: string[]) => parseOptions([...args(), ...extra], {}, { cwd: root, isTTY: false });
      const on = await runDoctor(options(["--fix"]));
      const maintenance = on.checks.filter((c) => c.category === "maintenance");
      expect(maintenance).toEqual([
        expect.objectContaining({
          id: "flag",
          severity: "warn",
          message: expect.stringContaining("reported by gateway, primary"),
        }),
      ]);
      expect(fs.existsSync(flag)).toBe(true);

      const cleared = await runDoctor(options(["--clear-maintenance"]));
      expect(fs.existsSync(flag)).toBe(false);
      expect(cleared.fixes).toEqual([expect.objectContaining({ id: "clear-maintenance", applied: true })]);
      expect(cleared.checks.filter((c) => c.category === "maintenance")).toEqual([
        expect.objectContaining({ severity: "pass" }),
      ]);
    } finally {
      fs.rmSync(flag, { force: true });
    }
  });

  it("fails a missing subdir on a running core's volume, and --fix creates it", async () => {
    fs.rmSync(path.join(candidateDir, "timeline"), { recursive: true, force: true });
    const before = await runDoctorCli(args());
    expect(before.code).toBe(2);
    expect(before.stdout).toMatch(/shared-dirs\s+candidate:\S+\s+subdirs\s+✗ fail\s+missing timeline/);
    const fixed = await runDoctorCli([...args(), "--fix"]);
    expect(fixed.stdout).toMatch(/⟳ candidate:\S+: created timeline/);
    expect(fs.statSync(path.join(candidateDir, "timeline")).isDirectory()).toBe(true);
    expect(fixed.code).toBe(0);
  });

  it("fails a corrupt model file (garbage bytes)", async () => {
    const garbage = path.join(root, "garbage.gguf");
    fs.writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256)));
    const run = await runDoctorCli([
      ...args().filter((a) => a !== BUNDLED_LITE_MODEL && a !== "--model"),
      "--model",
      garbage,
      "--json",
    ]);
    const doc = JSON.parse(run.stdout) as {
      checks: Array<{ category: string; id: string; target: string; severity: string; message: string }>;
    };
    const gguf = doc.checks.filter((c) => c.category === "model" && c.id === "gguf");
    expect(gguf.find((c) => c.target === garbage)).toMatchObject({
      severity: "fail",
      message: expect.stringContaining("not a valid GGUF"),
    });
    expect(gguf.find((c) => c.target === BUNDLED_LITE_MODEL)).toMatchObject({ severity: "pass" }); // what the cores serve
    expect(run.code).toBe(2);
  });

  it("fails a stopped candidate; --fix (process mode) recreates its dir, starts nothing, and gives a command that works", async () => {
    const port = candidate.port;
    await candidate.kill();
    fs.rmSync(candidateDir, { recursive: true, force: true });
    const fixArgs = [...args(), "--candidate-shared-dir", candidateDir, "--fix", "--json"];
    const run = await runDoctorCli(fixArgs);
    const doc = JSON.parse(run.stdout) as {
      checks: Array<{ category: string; target: string; severity: string; fix?: string }>;
      fixes: Array<{ id: string; applied: boolean; command?: string }>;
    };
    expect(doc.checks.find((c) => c.category === "reachability" && c.target === "candidate")).toMatchObject({
      severity: "fail",
    });
    expect(doc.fixes.find((f) => f.id === "create-shared-dir")).toMatchObject({ applied: true });
    const start = doc.fixes.find((f) => f.id === "start-candidate");
    expect(start).toMatchObject({
      applied: false,
      command: `GAIA_ROLE=candidate PORT=${port} GAIA_SHARED_DIR=${candidateDir} npm start`,
    });
    for (const sub of SHARED_SUBDIRS) expect(fs.existsSync(path.join(candidateDir, sub))).toBe(true);
    expect(run.code).toBe(2);

    // Run what the doctor said (its env, on the compiled core) and the deployment is whole again.
    const env = Object.fromEntries(
      (start?.command ?? "")
        .split(" ")
        .filter((w) => w.includes("="))
        .map((w) => w.split("=") as [string, string]),
    );
    const restarted = await spawnService({
      entry: "dist/services/core/main.js",
      port: Number(env.PORT),
      env: { ...env, GAIA_BUILD_ID: "build-a", GAIA_THREADS: "1" },
    });
    started.push(restarted);
    const after = await runDoctorCli(args().map((a) => (a.endsWith(`:${port}`) ? restarted.url : a)));
    expect(parseSummaryLine(after.stdout)).toMatchObject({ warnings: 0, failures: 0 });
    expect(after.code).toBe(0);
  });
});
