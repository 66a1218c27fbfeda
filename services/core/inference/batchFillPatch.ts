import fs from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Whether node-llama-cpp carries the project's batch-fill patch (patches/, applied by `npm ci` through patch-package).
 * node-llama-cpp forms the next decode batch the moment the last one's sampling is done, before the sequences sampled
 * last have queued their next token; on the CPU each decode is a full pass over the weights, so four sessions decoded
 * 2.9 tokens per pass instead of 4. The patch waits one event-loop turn first. An install that skipped lifecycle
 * scripts (`--ignore-scripts`) runs without it: the service works, concurrent sessions are slower.
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
