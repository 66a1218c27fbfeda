/**
 * `npm run models`: makes sure the bundled models exist (generating them when missing or stale), or generates one
 * extra GGUF for benchmarks.
 *
 *   node dist/models/scripts/ensureModels.js [--force] [--only bigram|qwen3-think|qwen3-tools|tiny|embed]
 *   node dist/models/scripts/ensureModels.js --preset mid [--out models/bundled/gaia-lite-mid.gguf] [--type Q8_0] [--seed 1234] [--force]
 *
 * Prints one line per model; on failure prints one line on stderr and exits 1 (2 for bad arguments).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { BUNDLED_EMBED_DIR_RELATIVE, BUNDLED_TINY_MODEL_RELATIVE } from "../../shared/config/bundledModels.js";
import { repoRoot } from "../../shared/config/repoRoot.js";
import {
  BUNDLED_BIGRAM_VARIANT_RELATIVE,
  type EnsureResult,
  ensureBigramModel,
  ensureEmbedFixture,
  ensureLiteModel,
} from "./bundledModels.js";
import { GGML_TYPES, type GgmlType } from "./gguf/ggmlTypes.js";
import { isLlamaPresetName, LLAMA_PRESETS } from "./gguf/llamaPresets.js";
import { BIGRAM_VARIANTS, type BigramVariant } from "./makeBigramModel.js";

/** What `--only` accepts: one bundled model. */
const BUNDLED_NAMES = ["bigram", "qwen3-think", "qwen3-tools", "tiny", "embed"] as const;

const USAGE =
  "usage: ensureModels [--force] [--only bigram|qwen3-think|qwen3-tools|tiny|embed] | [--preset tiny|small|mid] [--out <file.gguf>] [--type F32|F16|Q8_0|Q4_0] [--seed <n>] [--force]";

/** A bad command line: reported with the usage line and exit code 2. */
class UsageError extends Error {}

function describe(label: string, result: EnsureResult<object>, repoRoot: string, details: string): string {
  const where = path.relative(repoRoot, result.path) || result.path;
  const shown = where.startsWith("..") ? result.path : where;
  if (result.status === "present") return `${label}: already present (${shown})`;
  const verb = result.status === "regenerated" ? "regenerated (was missing files or outdated)" : "generated";
  return `${label}: ${verb} in ${Math.round(result.ms)} ms → ${shown} (${details})`;
}

function bigramLabel(variant: BigramVariant): string {
  return variant === "bigram" ? "bigram model" : `${variant} model`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 2 : 0)} MB`;
}

function parseCliArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        force: { type: "boolean", default: false },
        only: { type: "string" },
        preset: { type: "string" },
        out: { type: "string" },
        type: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function run(argv: string[]): void {
  const parsed = parseCliArgs(argv);
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const root = repoRoot();
  const force = values.force;
  const custom =
    values.preset !== undefined || values.out !== undefined || values.type !== undefined || values.seed !== undefined;

  if (custom) {
    if (values.only !== undefined) throw new UsageError("--only applies to the bundled models, not to --preset/--out");
    const preset = values.preset ?? "tiny";
    if (!isLlamaPresetName(preset)) {
      throw new UsageError(`unknown preset "${preset}" (expected one of ${Object.keys(LLAMA_PRESETS).join(", ")})`);
    }
    const type = values.type;
    if (type !== undefined && !GGML_TYPES.includes(type as GgmlType)) {
      throw new UsageError(`unknown --type "${type}" (expected one of ${GGML_TYPES.join(", ")})`);
    }
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
      throw new UsageError(`--seed must be an integer from 0 to 4294967295, got "${values.seed}"`);
    }
    const out = path.resolve(values.out ?? path.join(root, `models/bundled/gaia-lite-${preset}.gguf`));
    const result = ensureLiteModel(out, { preset, weightType: type as GgmlType | undefined, seed }, force);
    const s = result.summary;
    const details = s
      ? `${(s.parameters / 1e6).toFixed(2)}M params, ${s.weightType}, vocab ${s.vocabSize}, ${megabytes(s.bytes)}`
      : "";
    console.log(describe(path.basename(out), result, root, details));
    return;
  }

  const only = values.only;
  if (only !== undefined && !(BUNDLED_NAMES as readonly string[]).includes(only)) {
    throw new UsageError(`--only must be one of ${BUNDLED_NAMES.join(", ")}, got "${only}"`);
  }
  for (const variant of BIGRAM_VARIANTS) {
    if (only !== undefined && only !== variant) continue;
    const result = ensureBigramModel(path.join(root, BUNDLED_BIGRAM_VARIANT_RELATIVE[variant]), variant, force);
    const s = result.summary;
    const details = s
      ? `${s.variant}, vocab ${s.vocabSize}, ${s.bigrams} bigrams from ${s.dialogues} dialogues, ${megabytes(s.bytes)}`
      : "";
    console.log(describe(bigramLabel(variant), result, root, details));
  }
  if (only === undefined || only === "tiny") {
    const result = ensureLiteModel(path.join(root, BUNDLED_TINY_MODEL_RELATIVE), {}, force);
    const s = result.summary;
    const details = s
      ? `${(s.parameters / 1e6).toFixed(2)}M params, ${s.weightType}, vocab ${s.vocabSize}, ${megabytes(s.bytes)}`
      : "";
    console.log(describe("tiny test model", result, root, details));
  }
  if (only === undefined || only === "embed") {
    const result = ensureEmbedFixture(path.join(root, BUNDLED_EMBED_DIR_RELATIVE), force);
    const s = result.summary;
    const details = s ? `vocab ${s.vocabSize}, dim ${s.dim}, onnx ${megabytes(s.onnxBytes)}` : "";
    console.log(describe("embedding fixture", result, root, details));
  }
}

try {
  run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`ensureModels: ${error.message} (see --help)`);
    process.exitCode = 2;
  } else {
    console.error(`ensureModels: failed: ${(error as Error).message.split("\n")[0]}`);
    process.exitCode = 1;
  }
}
