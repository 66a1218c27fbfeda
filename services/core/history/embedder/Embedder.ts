/**
 * Sentence embeddings for semantic history selection. The core depends on this interface only; which library computes
 * the vectors is a detail of one implementation file (transformersEmbedder.ts).
 */

/** Turns texts into unit-length vectors (cosine similarity = dot product). */
export interface Embedder {
  /** Length of every vector this embedder returns. */
  readonly dim: number;
  /** Human name of the model (its folder name), for logs and /health. */
  readonly name: string;
  /**
   * One L2-normalised vector per text, in input order. A text the model maps to nothing (all-zero output) gets an
   * all-zero vector, which is similar to nothing. Rejects if the model fails at run time (callers fall back to full
   * history) or after {@link dispose}.
   */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Tokens the model's tokenizer makes of `text` (usage reporting); 0 if the model has no tokenizer. */
  countTokens?(text: string): number;
  /** Frees the model's native resources; later `embed` calls reject. Safe to call twice. */
  dispose(): Promise<void>;
}

/** Outcome of {@link loadEmbedder}: semantic mode with a working embedder, or full-history mode with the reason. */
export type EmbedderLoadResult =
  | { mode: "semantic"; embedder: Embedder; loadMs: number }
  | { mode: "full"; reason: string };

/** The embedding library could not be imported (missing package, broken native binary such as sharp or onnxruntime). */
export class EmbedderImportError extends Error {
  override readonly name = "EmbedderImportError";
}

/** The library was imported but refused the model folder (bad config, tokenizer or ONNX graph). */
export class EmbedderModelError extends Error {
  override readonly name = "EmbedderModelError";
}
