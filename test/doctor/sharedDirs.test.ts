import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { checkSharedDirs } from "../../doctor/checks/sharedDirs.js";
import { createSharedDirs } from "../../doctor/fixes/createSharedDirs.js";
import { fixOwnership } from "../../doctor/fixes/fixOwnership.js";
import { parseOptions } from "../../doctor/options.js";
import { runDoctor } from "../../doctor/runDoctor.js";
import { SHARED_SUBDIRS } from "../../shared/config/sharedDirs.js";
import { tempDir } from "../support/processes.js";
import { closedPortUrl, context, coreBody, makeSharedDir, sharedDirArgs, standIn, urlArgs } from "./support.js";

const isRoot = process.getuid?.() === 0;
const myUid = process.getuid?.() ?? -1;

async function dirArgs(primary: string, candidate: string, extra: string[] = []) {
  const down = await closedPortUrl();
  return [...urlArgs(down, down, down), ...sharedDirArgs(primary, candidate), "--mode", "process", ...extra];
}

const byId = (results: Array<{ target: string; id: string; severity: string }>, target: string) =>
  Object.fromEntries(results.filter((r) => r.target.startsWith(target)).map((r) => [r.id, r.severity]));

describe("shared-dirs check", () => {
  it("passes a complete, writable dir and fails a missing one", async () => {
    const root = tempDir("gaia-doctor-dirs-");
    const primary = makeSharedDir(path.join(root, "primary"));
    const results = checkSharedDirs(
      await context(await dirArgs(primary, path.join(root, "candidate"), ["--expect-uid", String(myUid)])),
    );
    expect(byId(results, "primary")).toEqual({ exists: "pass", writable: "pass", subdirs: "pass", owner: "pass" });
    expect(byId(results, "candidate")).toEqual({ exists: "fail" });
    expect(results.find((r) => r.target.startsWith("candidate"))?.fix).toContain("--fix");
    expect(fs.readdirSync(primary).filter((f) => f.startsWith(".gaia-doctor-probe"))).toEqual([]); // probe cleaned up
  });

  it("lists every missing subdir in one finding", async () => {
    const root = tempDir("gaia-doctor-dirs-");
    const primary = makeSharedDir(path.join(root, "p"), ["sessions"]);
    const candidate = makeSharedDir(path.join(root, "c"));
    const results = checkSharedDirs(await context(await dirArgs(primary, candidate)));
    const subdirs = results.find((r) => r.target.startsWith("primary") && r.id === "subdirs");
    expect(subdirs).toMatchObject({
      severity: "fail",
      message: `missing ${SHARED_SUBDIRS.filter((s) => s !== "sessions").join(", ")}`,
    });
  });

  it("warns about a wrong owner in process mode, fails with --expect-uid or in container mode", async () => {
    const root = tempDir("gaia-doctor-dirs-");
    const primary = makeSharedDir(path.join(root, "p"));
    const candidate = makeSharedDir(path.join(root, "c"));
    const other = myUid === 1000 ? 1001 : 1000;
    const owner = (results: ReturnType<typeof checkSharedDirs>) =>
      results.find((r) => r.target.startsWith("primary") && r.id === "owner");

    // process mode: whoever runs the doctor started the cores, so dirs they own pass
    expect(owner(checkSharedDirs(await context(await dirArgs(primary, candidate))))).toMatchObject({
      severity: "pass",
    });
    if (myUid === 0) {
      // someone else's dir (only root can hand it over) is a warning in process mode
      fs.chownSync(primary, other, other);
      expect(owner(checkSharedDirs(await context(await dirArgs(primary, candidate))))).toMatchObject({
        severity: "warn",
        message: expect.stringContaining(`owned by uid ${other}, not ${myUid}`),
      });
      fs.chownSync(primary, myUid, myUid);
    }
    if (myUid !== 1000) {
      const container = await context([
        ...(await dirArgs(primary, candidate)).filter((a) => a !== "process" && a !== "--mode"),
        "--mode",
        "container",
      ]);
      expect(owner(checkSharedDirs(container))).toMatchObject({ severity: "fail" });
    }
    expect(
      owner(checkSharedDirs(await context(await dirArgs(primary, candidate, ["--expect-uid", String(other)])))),
    ).toMatchObject({ severity: "fail" });
    expect(
      owner(checkSharedDirs(await context(await dirArgs(primary, candidate, ["--expect-uid", String(myUid)])))),
    ).toMatchObject({ severity: "pass" });
  });

  it("checks the dir a running core reports when none is given, and flags a mismatch with a given one", async () => {
    const root = tempDir("gaia-doctor-dirs-");
    const reported = makeSharedDir(path.join(root, "reported"));
    const primary = await standIn(200, coreBody({ shared_dir: reported }));
    const down = await closedPortUrl();
    try {
      const base = ["--core-url", primary.url, "--candidate-url", down, "--web-url", down, "--mode", "process"];
      const ctx = await context(base);
      expect(ctx.sharedDirs[0]).toEqual({ owner: "primary", path: reported, source: "reported" });

      const given = makeSharedDir(path.join(root, "given"));
      const results = checkSharedDirs(await context([...base, "--shared-dir", given]));
      expect(results.find((r) => r.id === "located")).toMatchObject({
        severity: "warn",
        message: expect.stringContaining(`reports shared dir ${reported}`),
      });
    } finally {
      await primary.close();
    }
  });
});

describe("shared-dirs repairs", () => {
  it("creates a missing dir and the missing subdirs (mkdir -p), and the re-run passes", async () => {
    const root = tempDir("gaia-doctor-dirs-");
    const primary = makeSharedDir(path.join(root, "p"), ["sessions", "council"]);
    const candidate = path.join(root, "deep/c");
    const ctx = await context(await dirArgs(primary, candidate));
    const records = createSharedDirs(ctx);
    expect(records).toEqual([
      expect.objectContaining({
        id: "create-shared-dir",
        applied: true,
        message: "created lite_journal, temporal_states, timeline",
      }),
      expect.objectContaining({
        id: "create-shared-dir",
        applied: true,
        message: expect.stringContaining("created the candidate's shared dir"),
      }),
    ]);
    expect(records[1]?.command).toMatch(/^mkdir -p /);
    for (const dir of [primary, candidate])
      for (const sub of SHARED_SUBDIRS) expect(fs.statSync(path.join(dir, sub)).isDirectory()).toBe(true);
    const again = checkSharedDirs(ctx).filter((r) => r.id !== "owner");
    expect(again.every((r) => r.severity === "pass")).toBe(true);
    expect(createSharedDirs(ctx)).toEqual([]); // idempotent
  });

  it("never replaces a file standing where a dir should be", async () => {
    const root = tempDir("gaia-doctor-dirs-");
    const file = path.join(root, "p");
    fs.writeFileSync(file, "keep me");
    const ctx = await context(await dirArgs(file, makeSharedDir(path.join(root, "c"))));
    expect(createSharedDirs(ctx)).toEqual([]);
    expect(fs.readFileSync(file, "utf8")).toBe("keep me");
    expect(checkSharedDirs(ctx).find((r) => r.target.startsWith("primary"))).toMatchObject({
      id: "exists",
      severity: "fail",
    });
  });

  (isRoot ? it : it.skip)(
    "as root with --expect-uid, chowns only the shared dirs, without following symlinks",
    async () => {
      const root = tempDir("gaia-doctor-dirs-");
      const primary = makeSharedDir(path.join(root, "p"));
      const candidate = makeSharedDir(path.join(root, "c"));
      const outside = path.join(root, "outside");
      fs.writeFileSync(outside, "not ours");
      fs.symlinkSync(outside, path.join(primary, "sessions", "link"));
      const ctx = await context(await dirArgs(primary, candidate, ["--expect-uid", "1000"]));
      const records = fixOwnership(ctx);
      expect(records.map((r) => [r.id, r.applied])).toEqual([
        ["chown-shared-dir", true],
        ["chown-shared-dir", true],
      ]);
      expect(records[0]?.command).toBe(`chown -R 1000:1000 ${primary}`);
      expect(fs.statSync(path.join(primary, "timeline")).uid).toBe(1000);
      expect(fs.lstatSync(path.join(primary, "sessions", "link")).uid).toBe(1000);
      expect(fs.statSync(outside).uid).toBe(0); // the link's target is untouched
      expect(fs.statSync(root).uid).toBe(0); // the parent is untouched
    },
  );

  it("does not chown in process mode without --expect-uid (the cores may run as this user on purpose)", async () => {
    const root = tempDir("gaia-doctor-dirs-");
    const ctx = await context(await dirArgs(makeSharedDir(path.join(root, "p")), makeSharedDir(path.join(root, "c"))));
    expect(fixOwnership(ctx)).toEqual([]);
  });

  it("--fix through runDoctor: creates the dirs, lists the repairs and re-runs the shared-dirs checks", async () => {
    const root = tempDir("gaia-doctor-dirs-");
    const args = await dirArgs(path.join(root, "p"), path.join(root, "c"), ["--expect-uid", String(myUid), "--fix"]);
    const report = await runDoctor(parseOptions(args, {}, { cwd: root, isTTY: false }));
    expect(report.fixes.filter((f) => f.id === "create-shared-dir" && f.applied)).toHaveLength(2);
    const dirs = report.checks.filter((c) => c.category === "shared-dirs");
    expect(dirs.length).toBe(8);
    expect(dirs.every((c) => c.severity === "pass")).toBe(true);
    // the candidate is down: process mode starts nothing and says what to run
    expect(report.fixes.find((f) => f.id === "start-candidate")).toMatchObject({
      applied: false,
      command: expect.stringContaining("GAIA_ROLE=candidate"),
    });
  });
});
