import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { runSelfCheck, type SelfCheckInput } from "../../../services/core/startup/selfCheck.js";
import { SHARED_SUBDIRS } from "../../../shared/config/sharedDirs.js";
import { REPO_ROOT, tempDir } from "../../support/processes.js";

// Root ignores file permissions, so "not writable" cases run either in-process (a path under a regular FILE fails for
// everyone) or, when root, in a child process switched to another uid, where the kernel enforces them for real.
const isRoot = process.getuid?.() === 0;
const COMPILED = path.join(REPO_ROOT, "dist/services/core/startup/selfCheck.js");

function fakeGguf(dir: string, name = "model.gguf", head = "GGUF", padding = 28): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(head, "latin1"), Buffer.alloc(padding)]));
  return file;
}

function expectOneLineProblem(result: ReturnType<typeof runSelfCheck>): string {
  expect(result.ok).toBe(false);
  const problem = result.ok ? "" : result.problem;
  expect(problem).not.toMatch(/[\r\n]/);
  expect(problem).toMatch(/: /); // "<what>: <how to fix>"
  return problem;
}

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

describe("runSelfCheck", () => {
  const savedHome = process.env.HOME;
  afterEach(() => {
    process.env.HOME = savedHome;
  });

  it("creates the shared dir and every subdir, leaves no probe files, and passes on a GGUF model", () => {
    const root = tempDir("gaia-selfcheck-");
    const sharedDir = path.join(root, "not", "yet", "shared");
    const result = runSelfCheck({ sharedDir, subdirs: SHARED_SUBDIRS, modelPath: fakeGguf(root), embedModelDir: null });
    expect(result).toEqual({ ok: true, warnings: isRoot ? [expect.stringContaining("running as root")] : [] });
    for (const sub of SHARED_SUBDIRS) {
      expect(fs.statSync(path.join(sharedDir, sub)).isDirectory()).toBe(true);
      expect(fs.readdirSync(path.join(sharedDir, sub))).toEqual([]);
    }
    expect(fs.readdirSync(sharedDir).sort()).toEqual([...SHARED_SUBDIRS].sort());
  });

  it("only warns about a missing embedding model dir, and says nothing when it is disabled", () => {
    const root = tempDir("gaia-selfcheck-");
    const base = { sharedDir: path.join(root, "shared"), subdirs: SHARED_SUBDIRS, modelPath: fakeGguf(root) };
    const missing = runSelfCheck({ ...base, embedModelDir: path.join(root, "no-embed") });
    expect(missing.ok).toBe(true);
    expect(missing.ok && missing.warnings).toContainEqual(expect.stringContaining("full-history mode"));
    const disabled = runSelfCheck({ ...base, embedModelDir: "none" });
    expect(disabled.ok && disabled.warnings.some((w) => w.includes("embedding"))).toBe(false);
    fs.mkdirSync(path.join(root, "embed"));
    const present = runSelfCheck({ ...base, embedModelDir: path.join(root, "embed") });
    expect(present.ok && present.warnings.some((w) => w.includes("embedding"))).toBe(false);
  });

  it("fails with one line when the shared dir cannot be created (a file is in the way)", () => {
    const root = tempDir("gaia-selfcheck-");
    const blocker = path.join(root, "file");
    fs.writeFileSync(blocker, "x");
    const problem = expectOneLineProblem(
      runSelfCheck({ sharedDir: path.join(blocker, "x"), subdirs: SHARED_SUBDIRS, modelPath: fakeGguf(root) }),
    );
    expect(problem).toContain(`shared dir ${path.join(blocker, "x")} cannot be created by uid`);
    expect(problem).toContain("ENOTDIR");
  });

  it("names the subdir that is blocked", () => {
    const root = tempDir("gaia-selfcheck-");
    const sharedDir = path.join(root, "shared");
    fs.mkdirSync(sharedDir);
    fs.writeFileSync(path.join(sharedDir, "council"), "not a dir");
    const problem = expectOneLineProblem(
      runSelfCheck({ sharedDir, subdirs: SHARED_SUBDIRS, modelPath: fakeGguf(root) }),
    );
    expect(problem).toContain(path.join(sharedDir, "council"));
    expect(problem).toContain("a file is in the way");
  });

  it("fails on a missing, directory, empty or non-GGUF model with the GAIA_LITE_MODEL fix", () => {
    const root = tempDir("gaia-selfcheck-");
    const base = { sharedDir: path.join(root, "shared"), subdirs: SHARED_SUBDIRS };
    const cases: Array<[string, RegExp]> = [
      [path.join(root, "absent.gguf"), /does not exist \(ENOENT\)/],
      [root, /is a directory, not a GGUF file/],
      [fakeGguf(root, "empty.gguf", "", 0), /is not a GGUF file \(starts with ""/],
      [fakeGguf(root, "weights.safetensors", '{"__'), /is not a GGUF file \(starts with "\{\\"__"/],
    ];
    for (const [modelPath, expected] of cases) {
      const problem = expectOneLineProblem(runSelfCheck({ ...base, modelPath }));
      expect(problem).toMatch(expected);
      expect(problem).toContain("GAIA_LITE_MODEL");
    }
  });

  it("fails when HOME is missing or not a directory", () => {
    const root = tempDir("gaia-selfcheck-");
    const input = { sharedDir: path.join(root, "shared"), subdirs: SHARED_SUBDIRS, modelPath: fakeGguf(root) };
    process.env.HOME = path.join(root, "no-home");
    expect(expectOneLineProblem(runSelfCheck(input))).toMatch(/^HOME .*no-home does not exist/);
    process.env.HOME = input.modelPath;
    expect(expectOneLineProblem(runSelfCheck(input))).toMatch(/^HOME .* is not a directory/);
  });

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

  (isRoot ? it : it.skip)("reports a uid without a passwd entry (the HA report's root cause) [root only]", () => {
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
  });

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
