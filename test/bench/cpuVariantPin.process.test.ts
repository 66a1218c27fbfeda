import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "@jest/globals";
import { bindingVariantDir, cannotPinReason, pinnedCommand, pinPlan, variantsIn } from "../../bench/cpuVariantPin.js";
import { repoRoot } from "../../shared/config/repoRoot.js";

const root = repoRoot();
const reason = cannotPinReason();
const tinyModel = path.join(root, "models/bundled/gaia-lite-tiny.gguf");

/**
 * Loads the tiny GGUF with the real binding in a child and prints the CPU variant ggml mapped. A script file, not
 * `node -e`: the binding's own start-up check re-runs the process's arguments, which an `-e` script breaks.
 */
const LOAD_AND_REPORT = `
import fs from "node:fs";
import { getLlama } from ${JSON.stringify(pathToFileURL(path.join(root, "node_modules/node-llama-cpp/dist/index.js")).href)};
const llama = await getLlama({ gpu: false, build: "never" });
const model = await llama.loadModel({ modelPath: process.argv[2] });
const maps = fs.readFileSync("/proc/self/maps", "utf8");
const found = [...new Set([...maps.matchAll(/libggml-cpu-([A-Za-z0-9_]+)\\.so/g)].map((m) => m[1]))];
console.log(JSON.stringify(found));
await model.dispose();
await llama.dispose();
`;

function loadedVariants(hide: readonly string[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-pin-load-"));
  const script = path.join(dir, "load.mjs");
  fs.writeFileSync(script, LOAD_AND_REPORT);
  try {
    const { command, args } = pinnedCommand(process.execPath, [script, tinyModel], hide);
    const run = spawnSync(command, args, { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    if (run.status !== 0) throw new Error(`child exited ${run.status ?? run.signal}: ${run.stderr.slice(-1000)}`);
    return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "[]") as string[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("pinning a process to one ggml CPU variant", () => {
  if (reason !== null) {
    it("says why it cannot pin here", () => {
      expect(reason).toMatch(/unshare|mount|Linux/);
    });
    return;
  }

  it("hides the files inside the process's own mount namespace only", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-pin-"));
    const hidden = path.join(dir, "libggml-cpu-a.so");
    const kept = path.join(dir, "libggml-cpu-b.so");
    fs.writeFileSync(hidden, "x");
    fs.writeFileSync(kept, "x");
    try {
      const { command, args } = pinnedCommand("sh", ["-c", 'test -c "$0" && test -f "$1"', hidden, kept], [hidden]);
      expect(spawnSync(command, args).status).toBe(0);
      expect(variantsIn(dir)).toEqual(["a", "b"]); // unchanged outside
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes the real binding load the pinned variant", () => {
    const dir = bindingVariantDir(root);
    const available = variantsIn(dir);
    expect(available.length).toBeGreaterThan(1);
    const unpinned = loadedVariants([]);
    expect(unpinned).toHaveLength(1);
    // pin to a variant other than the one it picks by itself (x64 runs on every x86-64 CPU)
    const other = available.includes("x64") && unpinned[0] !== "x64" ? "x64" : available.find((v) => v !== unpinned[0]);
    const plan = pinPlan(dir, available, other ?? "");
    if (!plan.ok) throw new Error(plan.reason);
    expect(loadedVariants(plan.hide)).toEqual([other]);
  });
});
