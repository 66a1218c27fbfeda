import path from "node:path";
import { parseArgs } from "node:util";
import { getLlama, type Llama, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import { repoRoot } from "../../shared/config/repoRoot.js";

export interface ProbeArgs {
  model: string;
  threads: number;
  tokens: number;
  sequences: number;
}

/** `--model` (default: the benchmark model), `--threads`, `--tokens`, `--sequences`, shared by the probes. */
export function probeArgs(defaults: { threads: number; tokens: number }): ProbeArgs {
  const { values } = parseArgs({
    // a probe may take options of its own
    strict: false,
    options: {
      model: { type: "string" },
      threads: { type: "string" },
      tokens: { type: "string" },
      sequences: { type: "string" },
    },
  });
  return {
    model: path.resolve(String(values.model ?? path.join(repoRoot(), "models/bundled/gaia-lite-mid.gguf"))),
    threads: Number(values.threads ?? defaults.threads),
    tokens: Number(values.tokens ?? defaults.tokens),
    sequences: Number(values.sequences ?? 1),
  };
}

/** The engine as the core loads it (CPU only, prebuilt binding, explicit threads). */
export async function loadProbeModel(args: ProbeArgs): Promise<{ llama: Llama; model: LlamaModel }> {
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.warn, maxThreads: args.threads });
  const model = await llama.loadModel({ modelPath: args.model, gpuLayers: 0 });
  return { llama, model };
}
