import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { runSelfCheck } from "../../../services/core/startup/selfCheck.js";
import { SHARED_SUBDIRS } from "../../../shared/config/sharedDirs.js";
import { tempDir } from "../../support/processes.js";
import { expectOneLineProblem, fakeGguf, isRoot } from "./selfCheckSupport.js";

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

  it("checks the model cache instead of a file when the model is a reference (hf:…)", () => {
    const root = tempDir("gaia-selfcheck-");
    const base = { sharedDir: path.join(root, "shared"), subdirs: SHARED_SUBDIRS, modelPath: null };
    const cache = path.join(root, "cache", "models");
    expect(runSelfCheck({ ...base, modelCacheDir: cache }).ok).toBe(true);
    expect(fs.statSync(cache).isDirectory()).toBe(true);
    const blocker = path.join(root, "file");
    fs.writeFileSync(blocker, "x");
    const problem = expectOneLineProblem(runSelfCheck({ ...base, modelCacheDir: path.join(blocker, "models") }));
    expect(problem).toContain(`model cache (GAIA_MODEL_CACHE) ${path.join(blocker, "models")} cannot be created`);
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

  it("fails on a missing, directory, empty, non-GGUF or unsupported-version model with the GAIA_LITE_MODEL fix", () => {
    const root = tempDir("gaia-selfcheck-");
    const base = { sharedDir: path.join(root, "shared"), subdirs: SHARED_SUBDIRS };
    const cases: Array<[string, RegExp]> = [
      [path.join(root, "absent.gguf"), /does not exist \(ENOENT\)/],
      [root, /is a directory, not a GGUF file/],
      [fakeGguf(root, "empty.gguf", ""), /is not a valid GGUF file \(it has only 0 bytes\)/],
      [fakeGguf(root, "weights.safetensors", '{"__'), /is not a valid GGUF file \(it starts with "\{\\"__"/],
      // the doctor rejects these too: the core must not start on them
      [
        fakeGguf(root, "v1.gguf", "GGUF\x01\0\0\0"),
        /is not a valid GGUF file \(it is GGUF version 1 \(supported: 2, 3\)\)/,
      ],
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
});
