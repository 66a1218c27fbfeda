/**
 * The {@link Embedder} implemented with transformers.js v2 (`@xenova/transformers`). Everything specific to that
 * library lives in this file: moving to `@huggingface/transformers` means rewriting only this module.
 *
 * The library is imported lazily, inside {@link createTransformersEmbedder}: importing it loads sharp and
 * onnxruntime-node native binaries, and a broken one must cost the core its semantic mode, never its start.
 */
import path from "node:path";
import { type Embedder, EmbedderImportError, EmbedderModelError } from "./Embedder.js";
import type { EmbedModelFiles } from "./embedModelFiles.js";

/** The parts of transformers.js v2 this file uses (its own typings are mostly `any`). */
interface TransformersTensor {
  dims: number[];
  data: ArrayLike<number>;
}
interface FeatureExtractor {
  (texts: string[], options: { pooling: "mean"; normalize: boolean }): Promise<TransformersTensor>;
  tokenizer?: { encode(text: string): number[] };
  dispose(): Promise<void>;
}
interface TransformersModule {
  env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    localModelPath: string;
    useFSCache: boolean;
    useBrowserCache: boolean;
  };
  pipeline(task: "feature-extraction", model: string, options: { quantized: boolean }): Promise<FeatureExtractor>;
}

/** Options for {@link createTransformersEmbedder}. */
export interface TransformersEmbedderOptions {
  /** Module to import; tests point it at a package that does not exist to exercise the import-failure path. */
  moduleName?: string;
  /** Texts per model call; bounds the padded batch tensor. Defaults to 32. */
  batchSize?: number;
}

const DEFAULT_MODULE = "@xenova/transformers";
const WARM_UP_TEXT = "hello";

/** `env` is global to the library, so loads are serialised: each sets `localModelPath` and reads it while loading. */
let loadQueue: Promise<unknown> = Promise.resolve();

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
}

/** Copies row `row` of a [rows, dim] tensor into a fresh vector; non-finite output (0/0 normalisation) becomes zeros. */
function rowVector(data: ArrayLike<number>, row: number, dim: number): Float32Array {
  const vector = new Float32Array(dim);
  let finite = true;
  for (let i = 0; i < dim; i++) {
    const value = data[row * dim + i]!;
    if (!Number.isFinite(value)) finite = false;
    vector[i] = value;
  }
  return finite ? vector : new Float32Array(dim);
}

/**
 * Loads the model folder with the feature-extraction pipeline (mean pooling, normalised) and runs it once to learn
 * the vector size. Throws {@link EmbedderImportError} when the library cannot be imported and
 * {@link EmbedderModelError} when it rejects the model.
 */
export async function createTransformersEmbedder(
  files: EmbedModelFiles,
  options: TransformersEmbedderOptions = {},
): Promise<Embedder> {
  let transformers: TransformersModule;
  try {
    transformers = (await import(options.moduleName ?? DEFAULT_MODULE)) as TransformersModule;
  } catch (error) {
    throw new EmbedderImportError(`cannot import ${options.moduleName ?? DEFAULT_MODULE}: ${firstLine(error)}`);
  }

  // v2 resolves a model id against env.localModelPath, so the id is the folder name and the path its parent.
  const name = path.basename(files.dir);
  const load = loadQueue.then(async () => {
    const { env } = transformers;
    env.allowRemoteModels = false; // a missing file must fail fast and locally, never try the network
    env.allowLocalModels = true;
    env.useFSCache = false; // nothing to cache for local files; keeps read-only images working
    env.useBrowserCache = false;
    env.localModelPath = path.dirname(files.dir) + path.sep;
    return transformers.pipeline("feature-extraction", name, { quantized: files.quantized });
  });
  loadQueue = load.catch(() => undefined);
  let extractor: FeatureExtractor;
  try {
    extractor = await load;
  } catch (error) {
    throw new EmbedderModelError(`the model in ${files.dir} failed to load: ${firstLine(error)}`);
  }

  let dim: number;
  try {
    const probe = await extractor([WARM_UP_TEXT], { pooling: "mean", normalize: true });
    dim = probe.dims[1] ?? 0;
    if (probe.dims.length !== 2 || dim <= 0) throw new Error(`unexpected output shape [${probe.dims.join(", ")}]`);
  } catch (error) {
    await extractor.dispose().catch(() => undefined);
    throw new EmbedderModelError(`the model in ${files.dir} failed to run: ${firstLine(error)}`);
  }

  const batchSize = Math.max(1, options.batchSize ?? 32);
  let disposed = false;
  return {
    dim,
    name,
    async embed(texts) {
      if (disposed) throw new Error(`embedder ${name} is disposed`);
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        const output = await extractor(batch, { pooling: "mean", normalize: true });
        if (output.dims[0] !== batch.length || output.dims[1] !== dim) {
          throw new Error(
            `embedder ${name} returned shape [${output.dims.join(", ")}] for ${batch.length} texts of dim ${dim}`,
          );
        }
        for (let row = 0; row < batch.length; row++) vectors.push(rowVector(output.data, row, dim));
      }
      return vectors;
    },
    countTokens(text) {
      return extractor.tokenizer?.encode(text).length ?? 0;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await extractor.dispose();
    },
  };
}
