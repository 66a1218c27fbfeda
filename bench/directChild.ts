// node-llama-cpp called directly, in a process of its own so it can be pinned to the same CPU variant as llama-bench
// (a variant is chosen per process, when the binding loads). Takes the DirectOptions as JSON in argv[2]; prints the
// DirectResult as JSON on stdout.
import { loadedCpuVariant } from "../services/core/inference/LlamaLoadFacts.js";
import { type DirectOptions, measureDirect } from "./directBench.js";

const options = JSON.parse(process.argv[2] ?? "{}") as DirectOptions;
const result = await measureDirect(options);
process.stdout.write(`${JSON.stringify({ ...result, variant: loadedCpuVariant() })}\n`);
