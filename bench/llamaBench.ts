import { spawnSync } from "node:child_process";
import { pinnedCommand } from "./cpuVariantPin.js";

/** One llama-bench test: prompt processing (nPrompt > 0) or generation (nGen > 0) at a thread count. */
export interface LlamaBenchEntry {
  threads: number;
  nPrompt: number;
  nGen: number;
  tokensPerSecond: number;
  stddev: number;
}

interface LlamaBenchJson {
  n_threads: number;
  n_prompt: number;
  n_gen: number;
  avg_ts: number;
  stddev_ts: number;
}

/** Runs llama-bench (`-o json`) on the model: pp<promptTokens> and tg<decodeTokens> for every thread count. */
export function runLlamaBench(
  binary: string,
  options: {
    modelPath: string;
    threads: number[];
    promptTokens: number;
    decodeTokens: number;
    repetitions: number;
    /** CPU variant files to hide (pinned as the peer is, see cpuVariantPin). */
    hide: readonly string[];
  },
): LlamaBenchEntry[] {
  const pinned = pinnedCommand(
    binary,
    [
      "-m",
      options.modelPath,
      "-t",
      options.threads.join(","),
      "-p",
      String(options.promptTokens),
      "-n",
      String(options.decodeTokens),
      "-r",
      String(Math.max(2, options.repetitions)),
      "-b",
      "512",
      "-ub",
      "512",
      "-o",
      "json",
    ],
    options.hide,
  );
  const result = spawnSync(pinned.command, pinned.args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(
      `llama-bench exited ${result.status}: ${(result.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`,
    );
  const entries = JSON.parse(result.stdout) as LlamaBenchJson[];
  return entries.map((e) => ({
    threads: e.n_threads,
    nPrompt: e.n_prompt,
    nGen: e.n_gen,
    tokensPerSecond: e.avg_ts,
    stddev: e.stddev_ts,
  }));
}
