import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { checkDisk, diskSeverity, usedPercent } from "../../doctor/checks/disk.js";
import { checkMaintenance } from "../../doctor/checks/maintenance.js";
import { clearMaintenance } from "../../doctor/fixes/clearMaintenance.js";
import { parseOptions } from "../../doctor/options.js";
import { runDoctor } from "../../doctor/runDoctor.js";
import { tempDir } from "../support/processes.js";
import {
  closedPortUrl,
  context,
  coreBody,
  gatewayBody,
  makeSharedDir,
  sharedDirArgs,
  standIn,
  urlArgs,
} from "./support.js";

async function setup(extra: string[] = [], urls?: { core?: string; web?: string }) {
  const root = tempDir("gaia-doctor-maint-");
  const primary = makeSharedDir(path.join(root, "p"));
  const candidate = makeSharedDir(path.join(root, "c"));
  const down = await closedPortUrl();
  const args = [
    ...urlArgs(urls?.core ?? down, down, urls?.web ?? down),
    ...sharedDirArgs(primary, candidate),
    "--mode",
    "process",
    ...extra,
  ];
  return { root, primary, candidate, args };
}

describe("maintenance check", () => {
  it("passes when no flag exists, warns 'failover is OFF' when the flag file exists", async () => {
    const s = await setup();
    expect(checkMaintenance(await context(s.args))).toEqual([
      expect.objectContaining({ id: "flag", severity: "pass" }),
    ]);
    fs.writeFileSync(path.join(s.primary, "ha_maintenance"), "");
    const [finding] = checkMaintenance(await context(s.args));
    expect(finding).toMatchObject({
      severity: "warn",
      message: expect.stringContaining("failover is OFF"),
      fix: expect.stringContaining("--clear-maintenance"),
    });
  });

  it("accepts maintenance with --expect-maintenance, and warns when it was expected but is off", async () => {
    const s = await setup(["--expect-maintenance"]);
    expect(checkMaintenance(await context(s.args))[0]).toMatchObject({
      severity: "warn",
      message: expect.stringContaining("expected but is OFF"),
    });
    fs.writeFileSync(path.join(s.primary, "ha_maintenance"), "");
    expect(checkMaintenance(await context(s.args))[0]).toMatchObject({ severity: "pass" });
  });

  it("sees maintenance reported by a service, and warns when gateway and primary disagree (different flag files)", async () => {
    const primary = await standIn(200, coreBody({ maintenance: false }));
    const gateway = await standIn(200, gatewayBody(primary.url, null, { maintenance: true }));
    try {
      const s = await setup([], { core: primary.url, web: gateway.url });
      const results = checkMaintenance(await context(s.args));
      expect(results.map((r) => [r.id, r.severity])).toEqual([
        ["flag", "warn"],
        ["agreement", "warn"],
      ]);
      expect(results[0]?.message).toContain("reported by gateway");
      expect(results[1]?.message).toContain("different flag files");
    } finally {
      await primary.close();
      await gateway.close();
    }
  });

  it("clears the flag only on --clear-maintenance; --fix alone leaves it", async () => {
    const s = await setup();
    const flag = path.join(s.primary, "ha_maintenance");
    fs.writeFileSync(flag, "");
    const fixOnly = await runDoctor(parseOptions([...s.args, "--fix"], {}, { cwd: s.root, isTTY: false }));
    expect(fs.existsSync(flag)).toBe(true);
    expect(fixOnly.checks.find((c) => c.category === "maintenance")?.severity).toBe("warn");

    const cleared = await runDoctor(
      parseOptions([...s.args, "--clear-maintenance"], {}, { cwd: s.root, isTTY: false }),
    );
    expect(fs.existsSync(flag)).toBe(false);
    expect(cleared.fixes).toEqual([
      expect.objectContaining({ id: "clear-maintenance", applied: true, command: "rm p/ha_maintenance" }),
    ]);
    expect(cleared.checks.find((c) => c.category === "maintenance")?.severity).toBe("pass"); // re-run after the repair
  });

  it("also reads GAIA_MAINTENANCE_FLAG (the gateway's flag file)", async () => {
    const s = await setup();
    const flag = path.join(s.root, "elsewhere-flag");
    fs.writeFileSync(flag, "");
    const ctx = await context(s.args, { GAIA_MAINTENANCE_FLAG: flag });
    expect(checkMaintenance(ctx)[0]).toMatchObject({
      severity: "warn",
      message: expect.stringContaining("elsewhere-flag"),
    });
    expect(clearMaintenance(ctx)).toEqual([expect.objectContaining({ applied: true })]);
    expect(fs.existsSync(flag)).toBe(false);
  });
});

describe("disk check", () => {
  it("classifies used space as the original's df check: <85 pass, <95 warn, else fail", () => {
    expect(diskSeverity(0)).toBe("pass");
    expect(diskSeverity(84.9)).toBe("pass");
    expect(diskSeverity(85)).toBe("warn");
    expect(diskSeverity(94.9)).toBe("warn");
    expect(diskSeverity(95)).toBe("fail");
    expect(diskSeverity(100)).toBe("fail");
  });

  it("computes used % as df does (used / (used + available))", () => {
    expect(usedPercent({ blocks: 100, bfree: 20, bavail: 10 })).toBeCloseTo((80 / 90) * 100);
    expect(usedPercent({ blocks: 0, bfree: 0, bavail: 0 })).toBe(0);
  });

  it("measures each filesystem once, at the nearest existing parent of a missing dir", async () => {
    const s = await setup();
    const ctx = await context(s.args.map((a) => (a === s.candidate ? path.join(s.root, "missing/c") : a)));
    const results = checkDisk(ctx);
    expect(results).toHaveLength(1); // both dirs live on the same temp filesystem
    expect(results[0]).toMatchObject({
      category: "disk",
      id: "free-space",
      message: expect.stringMatching(/^\d+% used, [\d.]+ GiB free \(primary \+ candidate shared data\)$/),
    });
    const stats = fs.statfsSync(s.root);
    expect(results[0]?.severity).toBe(diskSeverity(usedPercent(stats)));
  });
});
