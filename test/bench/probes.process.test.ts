// The bench probes docs/benchmarks.md quotes, run as a user would (compiled, in their own process) on the small bundled models,
// so the commands in docs/benchmarks.md keep working and print what it says they print. Needs `npm run build` and
// `npm run models`.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { BUNDLED_LITE_MODEL, REPO_ROOT, TINY_TEST_MODEL } from "../support/processes.js";

function probe(name: string, args: string[], nodeArgs: string[] = []): Record<string, unknown> {
  const out = execFileSync(process.execPath, [...nodeArgs, path.join(REPO_ROOT, "dist/bench/probes", name), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: "" },
    encoding: "utf8",
    timeout: 120_000,
  });
  return JSON.parse(out) as Record<string, unknown>;
}

describe("bench probes", () => {
  it("decodeLoop prints the bare engine's speed and the threads created per step", () => {
    const one = probe("decodeLoop.js", ["--model", TINY_TEST_MODEL, "--threads", "1", "--tokens", "8"]);
    expect(one).toMatchObject({ threads: 1, sequences: 1, tokens: 8 });
    expect(one.tokensPerSecond).toBeGreaterThan(0);
    // counted from the PIDs the whole machine handed out, so other processes (parallel test files) add to it
    expect(typeof one.threadsCreatedPerStep).toBe("number");
    const four = probe("decodeLoop.js", [
      "--model",
      TINY_TEST_MODEL,
      "--threads",
      "1",
      "--tokens",
      "4",
      "--sequences",
      "4",
    ]);
    expect(four).toMatchObject({ sequences: 4, tokens: 16 });
  });

  it("retokenize shows the bigram model's answers tokenize back to themselves", () => {
    const result = probe("retokenize.js", ["--model", BUNDLED_LITE_MODEL, "--threads", "1"]);
    expect(result.generated).toBeGreaterThan(0);
    expect(result.retokenized).toBe(result.generated);
    expect(result.commonPrefix).toBe(result.generated);
  });

  it("memoryStages prints RSS growing stage by stage", () => {
    const { rssMb } = probe("memoryStages.js", ["--model", TINY_TEST_MODEL], ["--expose-gc"]) as {
      rssMb: Record<string, number>;
    };
    const stages = Object.values(rssMb);
    expect(stages).toHaveLength(5);
    expect(stages.every((mb) => mb > 0)).toBe(true);
    expect(stages.at(-1)).toBeGreaterThan(stages[0] ?? 0);
  });
});
