/**
 * Decides the history mode at start: semantic when an embedding model loads and passes a one-sentence self-test,
 * otherwise full-history mode with a one-line reason. Never throws: a missing or broken model is not an error for
 * clients, only a different way of choosing history.
 */
import path from "node:path";
import { type Embedder, EmbedderImportError, type EmbedderLoadResult } from "./Embedder.js";
import { checkEmbedModelFiles } from "./embedModelFiles.js";
import { createTransformersEmbedder } from "./transformersEmbedder.js";

/** Options for {@link loadEmbedder}. */
export interface LoadEmbedderOptions {
  /** GAIA_EMBED_MODEL_DIR as configured: unset/empty or "none" disables embeddings; relative paths resolve from the cwd. */
  modelDir: string | undefined;
  /** Force an ONNX variant (true → onnx/model_quantized.onnx); by default onnx/model.onnx if present. */
  quantized?: boolean;
  /** Library module to import (tests use a missing one to exercise the import failure). */
  moduleName?: string;
}

/** The sentence embedded by the self-test; any real model gives it a finite, non-zero vector. */
const SELF_TEST_SENTENCE = "Hello, what is the weather like today?";

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
}

/** Why a self-test vector is unusable, or undefined when it is fine. */
function selfTestProblem(vectors: Float32Array[], dim: number): string | undefined {
  const vector = vectors[0];
  if (vectors.length !== 1 || vector === undefined) return `expected 1 vector, got ${vectors.length}`;
  if (vector.length !== dim || dim === 0) return `vector has length ${vector.length}, expected ${dim}`;
  let sumOfSquares = 0;
  for (const value of vector) {
    if (!Number.isFinite(value)) return "vector has non-finite values";
    sumOfSquares += value * value;
  }
  if (sumOfSquares === 0) return "vector is all zeros";
  return undefined;
}

/** Loads the embedding model named by `options.modelDir`, or explains why history stays in full mode. */
export async function loadEmbedder(options: LoadEmbedderOptions): Promise<EmbedderLoadResult> {
  const started = performance.now();
  const configured = options.modelDir?.trim() ?? "";
  if (configured === "") return { mode: "full", reason: "GAIA_EMBED_MODEL_DIR is not set" };
  if (configured.toLowerCase() === "none")
    return { mode: "full", reason: 'GAIA_EMBED_MODEL_DIR is "none" (embeddings disabled)' };

  const dir = path.resolve(configured);
  const check = checkEmbedModelFiles(dir, options.quantized);
  if (!check.ok) return { mode: "full", reason: check.reason };

  let embedder: Embedder;
  try {
    embedder = await createTransformersEmbedder(check.files, { moduleName: options.moduleName });
  } catch (error) {
    return { mode: "full", reason: error instanceof EmbedderImportError ? error.message : firstLine(error) };
  }

  let problem: string | undefined;
  try {
    problem = selfTestProblem(await embedder.embed([SELF_TEST_SENTENCE]), embedder.dim);
  } catch (error) {
    problem = firstLine(error);
  }
  if (problem !== undefined) {
    await embedder.dispose().catch(() => undefined);
    return { mode: "full", reason: `embedding self-test failed for ${dir}: ${problem}` };
  }
  return { mode: "semantic", embedder, loadMs: performance.now() - started };
}
