// The compiled `npm run models` CLI (needs `npm run build`, which `npm test` runs first): generates once, then
// reports "already present"; removes temp files of dead runs; one clear line and a non-zero exit on bad input.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  BUNDLED_BIGRAM_MODEL_RELATIVE,
  BUNDLED_EMBED_DIR_RELATIVE,
  BUNDLED_QWEN3_THINK_MODEL_RELATIVE,
  BUNDLED_QWEN3_TOOLS_MODEL_RELATIVE,
  BUNDLED_TINY_MODEL_RELATIVE,
} from "../../shared/config/bundledModels.js";
import { repoRoot } from "../../shared/config/repoRoot.js";

const REPO = repoRoot();
const cli = path.join(REPO, "dist/models/scripts/ensureModels.js");
let tmp: string;

function runCli(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: os.tmpdir(),
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-ensure-models-"));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("ensureModels CLI", () => {
  it("generates an extra GGUF once, then leaves it alone; --force regenerates it", () => {
    const out = path.join(tmp, "nested", "extra.gguf");
    const deadTemp = path.join(tmp, "nested", ".extra.gguf.tmp-2147483646-deadbeef");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(deadTemp, "half a model from an interrupted run");

    const first = runCli(["--preset", "tiny", "--out", out]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(/^extra\.gguf: generated in \d+ ms/);
    expect(fs.readFileSync(out).subarray(0, 4).toString()).toBe("GGUF");
    expect(fs.existsSync(deadTemp)).toBe(false);
    expect(fs.readdirSync(path.dirname(out))).toEqual(["extra.gguf"]);

    const second = runCli(["--preset", "tiny", "--out", out]);
    expect(second.stdout).toMatch(/^extra\.gguf: already present/);

    const forced = runCli(["--preset", "tiny", "--out", out, "--force"]);
    expect(forced.stdout).toMatch(/^extra\.gguf: regenerated/);
  });

  it("regenerates a file that is not what this generator makes (e.g. another seed)", () => {
    const out = path.join(tmp, "seeded.gguf");
    runCli(["--out", out, "--seed", "1"]);
    expect(runCli(["--out", out, "--seed", "1"]).stdout).toMatch(/already present/);
    expect(runCli(["--out", out, "--seed", "2"]).stdout).toMatch(/regenerated/);
  });

  it("answers bad arguments with one line and exit code 2", () => {
    for (const args of [["--only", "everything"], ["--preset", "huge"], ["--type", "Q3"], ["--bogus"]]) {
      const result = runCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr.split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(/^ensureModels: /);
    }
  });

  it("fails with one line and exit code 1 when it cannot write", () => {
    const blocker = path.join(tmp, "not-a-dir");
    fs.writeFileSync(blocker, "");
    const result = runCli(["--out", path.join(blocker, "x.gguf")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ensureModels: failed: /);
    expect(result.stderr.split("\n")).toHaveLength(1);
  });

  it("reports the bundled models as present after a run", () => {
    runCli([]);
    const again = runCli([]);
    expect(again.code).toBe(0);
    expect(again.stdout.split("\n")).toEqual([
      `bigram model: already present (${BUNDLED_BIGRAM_MODEL_RELATIVE})`,
      `qwen3-think model: already present (${BUNDLED_QWEN3_THINK_MODEL_RELATIVE})`,
      `qwen3-tools model: already present (${BUNDLED_QWEN3_TOOLS_MODEL_RELATIVE})`,
      `tiny test model: already present (${BUNDLED_TINY_MODEL_RELATIVE})`,
      `embedding fixture: already present (${BUNDLED_EMBED_DIR_RELATIVE})`,
    ]);
  });
});
