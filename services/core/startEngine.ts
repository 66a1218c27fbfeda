import type { Logger } from "../../shared/logging/logger.js";
import type { ReadyParts } from "./CoreState.js";
import type { CoreConfig } from "./config.js";
import { loadEmbedder } from "./history/embedder/loadEmbedder.js";
import { HistorySelector } from "./history/HistorySelector.js";
import type { InferenceEngine } from "./inference/InferenceEngine.js";
import { LiteModel } from "./inference/LiteModel.js";
import { CognitionPipeline } from "./pipeline/CognitionPipeline.js";
import type { TurnObserver } from "./pipeline/TurnOutcome.js";
import type { SessionStore } from "./sessions/SessionStore.js";
import { TokenCountingSessionStore } from "./sessions/TokenCountingSessionStore.js";
import { McpClient } from "./tools/McpClient.js";
import { ToolCatalog } from "./tools/ToolCatalog.js";
import { ToolRouter } from "./tools/ToolRouter.js";

export interface StartEngineOptions {
  config: CoreConfig;
  store: SessionStore;
  logger: Logger;
  metrics?: TurnObserver;
  /** Replaces the lite model (benchmarks measure service overhead with a stub engine). */
  loadEngine?: (config: CoreConfig, logger: Logger) => Promise<InferenceEngine & { loadMs?: number }>;
  /** Replaces the embedder loader (tests wrap the real one to see what it created). */
  loadEmbedder?: typeof loadEmbedder;
}

const loadLiteModel = (config: CoreConfig, logger: Logger) =>
  LiteModel.load({
    modelPath: config.liteModelPath,
    threads: config.threads,
    contextSize: config.contextSize,
    parallel: config.parallel,
    flashAttention: config.flashAttention,
    queueSize: config.queueSize,
    logger,
  });

/**
 * Creates everything that takes time at start: the lite model (required: failure is reported by /health), the embedder
 * (optional: failure means full-history mode, logged once with its reason) and the MCP client (when configured).
 * When it throws, whatever it had already created is released: a failed model load does not leak the embedder.
 */
export async function startEngine({
  config,
  store,
  logger,
  metrics,
  loadEngine = loadLiteModel,
  loadEmbedder: loadEmbedderFn = loadEmbedder,
}: StartEngineOptions): Promise<ReadyParts> {
  const started = performance.now();
  const [loadedEngine, loadedEmbedding] = await Promise.allSettled([
    loadEngine(config, logger),
    loadEmbedderFn({ modelDir: config.embedModelDir ?? "none" }),
  ]);
  if (loadedEngine.status === "rejected" || loadedEmbedding.status === "rejected") {
    if (loadedEngine.status === "fulfilled") await loadedEngine.value.dispose();
    if (loadedEmbedding.status === "fulfilled" && loadedEmbedding.value.mode === "semantic")
      await loadedEmbedding.value.embedder.dispose();
    throw loadedEngine.status === "rejected" ? loadedEngine.reason : (loadedEmbedding as PromiseRejectedResult).reason;
  }
  const engine = loadedEngine.value;
  const embedding = loadedEmbedding.value;
  if (embedding.mode === "semantic") {
    logger.info(
      { history_mode: "semantic", embed_model: embedding.embedder.name, load_ms: embedding.loadMs },
      "embedding model ready",
    );
  } else {
    logger.warn({ history_mode: "full", reason: embedding.reason }, "no embedding model: full-history mode");
  }
  const history = new HistorySelector({
    embedder: embedding.mode === "semantic" ? embedding.embedder : null,
    fullModeReason: embedding.mode === "full" ? embedding.reason : null,
    store,
    recentTurns: config.history.recentTurns,
    recallTopK: config.history.recallTopK,
    minSimilarity: config.history.minSimilarity,
    logger,
  });
  const mcp = config.mcp.endpoint
    ? new McpClient({
        endpoint: config.mcp.endpoint,
        fallbackEndpoint: config.mcp.fallbackEndpoint,
        timeoutMs: config.mcp.timeoutMs,
        maintenanceFlagPath: config.maintenanceFlagPath,
        onEvent: (event) => logger.warn(event, "MCP failover"),
      })
    : null;
  const pipeline = new CognitionPipeline({
    engine,
    // each turn is stored with its token count, so fitting a long session's history reads counts, not text
    store: new TokenCountingSessionStore(store, (messages) => engine.countTokens(messages)),
    history,
    tools: mcp
      ? new ToolRouter({
          catalog: new ToolCatalog(mcp, config.tools.catalogTtlMs),
          engine,
          mode: config.tools.routing,
          confidenceThreshold: config.tools.confidenceThreshold,
          logger,
        })
      : null,
    maxTokensCap: config.maxTokensCap,
    logger,
    ...(metrics ? { observer: metrics } : {}),
  });
  const embedder = embedding.mode === "semantic" ? embedding.embedder : null;
  return { engine, history, pipeline, embedder, modelLoadMs: engine.loadMs ?? Math.round(performance.now() - started) };
}
