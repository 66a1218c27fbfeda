// The doctor run by an ordinary user (spawned as uid 65534 by a root test runner): dirs it cannot see or write, and
// repairs it must leave to root. Skipped when the tests do not run as root (they cannot switch user then).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { tempDir } from "../support/processes.js";
import { closedPortUrl, makeSharedDir, runDoctorCli, urlArgs } from "./support.js";

const NOBODY = 65534;
const maybe = process.getuid?.() === 0 ? describe : describe.skip;

maybe("doctor as a non-root user", () => {
  it("warns on a dir it cannot look into, fails one it cannot write, and prints the sudo commands instead of repairing", async () => {
    const root = tempDir("gaia-doctor-nonroot-");
    fs.chmodSync(root, 0o755);
    const hidden = path.join(root, "hidden");
    fs.mkdirSync(hidden, { mode: 0o700 }); // like /var/lib/docker/volumes for a normal user
    const readOnly = makeSharedDir(path.join(root, "ro")); // root-owned 0755: visible, not writable
    const down = await closedPortUrl();
    const args = [
      ...urlArgs(down, down, down),
      "--mode",
      "container",
      "--json",
      "--fix",
      "--shared-dir",
      path.join(hidden, "p"),
      "--candidate-shared-dir",
      readOnly,
    ];
    const run = await runDoctorCli(args, { cwd: root, uid: NOBODY });
    expect(run.stderr).toBe("");
    const doc = JSON.parse(run.stdout) as {
      checks: Array<{ target: string; id: string; severity: string; message: string; fix?: string }>;
      fixes: Array<{ id: string; applied: boolean; command?: string }>;
    };
    const dirs = doc.checks.filter((c) => c.target.startsWith("primary:") || c.target.startsWith("candidate:"));
    expect(dirs.find((c) => c.target.startsWith("primary:"))).toMatchObject({
      id: "exists",
      severity: "warn",
      message: "cannot look at it: EACCES",
      fix: expect.stringContaining("root"),
    });
    expect(dirs.find((c) => c.target.startsWith("candidate:") && c.id === "writable")).toMatchObject({
      severity: "fail",
      message: `not writable by uid ${NOBODY}: EACCES`,
    });
    expect(dirs.find((c) => c.target.startsWith("candidate:") && c.id === "owner")).toMatchObject({
      severity: "fail",
      fix: `sudo chown -R 1000:1000 ro`,
    });
    expect(doc.fixes).toContainEqual(
      expect.objectContaining({ id: "chown-shared-dir", applied: false, command: "sudo chown -R 1000:1000 ro" }),
    );
    expect(fs.existsSync(path.join(hidden, "p"))).toBe(false); // nothing created where it could not look
    expect(fs.statSync(readOnly).uid).toBe(0); // nothing changed
    expect(run.code).toBe(2);
  });
});
