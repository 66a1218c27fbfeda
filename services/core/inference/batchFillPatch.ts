import fs from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Whether node-llama-cpp carries the project's batch-fill patch (patches/, applied by `npm ci` through patch-package).
 * Unpatched, with several sessions generating, node-llama-cpp formed the next decode batch before the sequence sampled
 * last had queued its token (four sessions: 2.9 tokens per decode), added the sequences in the order they queued
 * (llama.cpp then splits a batch into one pass per run of consecutive sequence ids), and kept the context lock while
 * the queue was never empty (a new session waited to clear its slot). On the CPU every pass reads all the weights. The
 * patch forms one batch per hold of the lock, in sequence order, after one event-loop turn. An install that skipped
 * lifecycle scripts (`--ignore-scripts`) runs without it: the service works, concurrent sessions are slower.
 */
export function batchFillPatchApplied(): boolean {
  try {
    const index = fileURLToPath(import.meta.resolve("node-llama-cpp"));
    const context = new URL("./evaluator/LlamaContext/LlamaContext.js", `file://${index}`);
    return fs.readFileSync(context, "utf8").includes("gaia-core batch-fill patch");
  } catch {
    return false;
  }
}
