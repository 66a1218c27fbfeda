// Permission checks of the start-up self-check as the kernel enforces them. Root ignores file permissions, so when
// root these run the compiled self-check (run `npm run build` first; `npm test` does) in a child process switched to
// another uid; the uid-only cases are skipped, and say so, when not root.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { runSelfCheck, type SelfCheckInput } from "../../../services/core/startup/selfCheck.js";
import { SHARED_SUBDIRS } from "../../../shared/config/sharedDirs.js";
import { REPO_ROOT, tempDir } from "../../support/processes.js";
import { expectOneLineProblem, fakeGguf, isRoot } from "./selfCheckSupport.js";

const COMPILED = path.join(REPO_ROOT, "dist/services/core/startup/selfCheck.js");

/** Runs the compiled self-check in a child process as another uid (root only) and returns its result. */
function runAsUid(
  uid: number,
  input: SelfCheckInput,
  env: Record<string, string> = {},
): ReturnType<typeof runSelfCheck> {
  if (!fs.existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
  const script = `import { runSelfCheck } from ${JSON.stringify(COMPILED)};
    process.stdout.write(JSON.stringify(runSelfCheck(JSON.parse(process.argv[1]))));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(input)], {
    uid,
    gid: uid,
    cwd: "/",
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as ReturnType<typeof runSelfCheck>;
}

describe("runSelfCheck as another uid", () => {
  it("reports a shared dir the user cannot write, with the chown / down -v fix", () => {
    const root = tempDir("gaia-selfcheck-");
    const sharedDir = path.join(root, "shared");
    fs.mkdirSync(sharedDir);
    const input = { sharedDir, subdirs: SHARED_SUBDIRS, modelPath: fakeGguf(root) };
    let result: ReturnType<typeof runSelfCheck>;
    if (isRoot) {
      // uid 65534 (nobody) with a writable HOME, against a root-owned 0755 shared dir
      const home = path.join(root, "home");
      fs.mkdirSync(home);
      fs.chmodSync(home, 0o777);
      fs.chmodSync(root, 0o755);
      fs.chmodSync(input.modelPath, 0o644);
      result = runAsUid(65534, input, { HOME: home });
    } else {
      fs.chmodSync(sharedDir, 0o500);
      result = runSelfCheck(input);
    }
    const problem = expectOneLineProblem(result);
    expect(problem).toMatch(/^shared dir \/\S+\/shared is not writable by uid \d+ \(\w+\) \(EACCES\)/);
    expect(problem).toContain("chown -R");
    expect(problem).toContain("docker-compose down -v");
  });

  (isRoot ? it : it.skip)(
    "reports a uid without a passwd entry (the original's stale candidate image had no such user) [root only]",
    () => {
      const root = tempDir("gaia-selfcheck-");
      const result = runAsUid(
        1234,
        { sharedDir: path.join(root, "shared"), subdirs: SHARED_SUBDIRS, modelPath: fakeGguf(root) },
        {
          HOME: "/",
        },
      );
      const problem = expectOneLineProblem(result);
      expect(problem).toMatch(/^uid 1234 has no passwd entry \(os\.userInfo: uv_os_get_passwd returned ENOENT/);
      expect(problem).toContain("gaia (uid 1000)");
    },
  );

  (isRoot ? it : it.skip)("reports a model the user cannot read [root only]", () => {
    const root = tempDir("gaia-selfcheck-");
    fs.chmodSync(root, 0o777);
    const modelPath = fakeGguf(root);
    fs.chmodSync(modelPath, 0o600);
    const result = runAsUid(
      65534,
      { sharedDir: path.join(root, "shared"), subdirs: SHARED_SUBDIRS, modelPath },
      { HOME: root },
    );
    const problem = expectOneLineProblem(result);
    expect(problem).toMatch(/^model file .* is not readable by uid 65534 \(nobody\) \(EACCES\): chmod a\+r/);
  });
});
