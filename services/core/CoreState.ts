import type { ModelFetchProgress } from "../../shared/models/fetchModel.js";
import type { Embedder } from "./history/embedder/Embedder.js";
import type { HistorySelector } from "./history/HistorySelector.js";
import type { InferenceEngine } from "./inference/InferenceEngine.js";
import type { CognitionPipeline } from "./pipeline/CognitionPipeline.js";

/** Lifecycle of a core process: it listens at once (so /health answers) and becomes ready when the model is loaded. */
export type CoreStatus = "loading" | "ready" | "failed" | "draining";

export interface ReadyParts {
  engine: InferenceEngine;
  history: HistorySelector;
  pipeline: CognitionPipeline;
  /** The embedding model, also served by POST /v1/embeddings; null in full-history mode. */
  embedder: Embedder | null;
  modelLoadMs: number;
}

/** What /health and /status report, and what routes check before taking a packet. */
export class CoreState {
  status: CoreStatus = "loading";
  failure: string | null = null;
  parts: ReadyParts | null = null;
  /** While a model named by reference is fetched: where it is (shown by /health as `model.download`). */
  download: ModelFetchProgress | null = null;
  /** The file a model reference resolved to, once fetched. */
  modelFile: string | null = null;
  readonly startedAt = Date.now();

  markReady(parts: ReadyParts): void {
    this.parts = parts;
    this.status = "ready";
  }

  markFailed(reason: string): void {
    this.failure = reason;
    this.status = "failed";
  }

  markDraining(): void {
    this.status = "draining";
  }
}
