// Who frees what: the core's one dispose() releases the real model and the real embedder it created, also while they
// are still loading and when the model fails to load; LiteModel.dispose() is safe to call more than once.
// The loaders are the real ones, wrapped only to keep a handle on what they created.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { loadCoreConfig } from "../../services/core/config.js";
import { createCore } from "../../services/core/createCore.js";
import type { EmbedderLoadResult } from "../../services/core/history/embedder/Embedder.js";
import { loadEmbedder } from "../../services/core/history/embedder/loadEmbedder.js";
import { LiteModel } from "../../services/core/inference/LiteModel.js";
import { createLogger } from "../../shared/logging/logger.js";
import { BUNDLED_EMBED_MODEL_DIR, BUNDLED_LITE_MODEL, tempDir } from "../support/processes.js";

const logger = createLogger({ service: "gaia-core-test", level: "silent" });

/** A core on the bundled models whose loaders report what they created. */
function watchedCore(env: Record<string, string> = {}) {
  const created: { engine?: LiteModel; embedding?: EmbedderLoadResult } = {};
  const config = loadCoreConfig({
    GAIA_SHARED_DIR: tempDir("gaia-own-"),
    GAIA_LITE_MODEL: BUNDLED_LITE_MODEL,
    GAIA_EMBED_MODEL_DIR: BUNDLED_EMBED_MODEL_DIR,
    GAIA_THREADS: "1",
    GAIA_CONTEXT_SIZE: "512",
    ...env,
  });
  const core = createCore(config, logger, {
    loadEngine: async (c, log) => {
      created.engine = await LiteModel.load({
        modelPath: c.liteModelPath,
        threads: c.threads,
        contextSize: c.contextSize,
        parallel: c.parallel,
        queueSize: c.queueSize,
        logger: log,
      });
      return created.engine;
    },
    loadEmbedder: async (options) => {
      created.embedding = await loadEmbedder(options);
      return created.embedding;
    },
  });
  return { core, created };
}

/** The embedder a semantic load produced, asserting there was one. */
function embedderOf(embedding: EmbedderLoadResult | undefined) {
  expect(embedding?.mode).toBe("semantic");
  if (embedding?.mode !== "semantic") throw new Error("no embedder");
  return embedding.embedder;
}

describe("LiteModel ownership", () => {
  it("disposes once however often dispose() runs, and Symbol.asyncDispose is the same dispose", async () => {
    const model = await LiteModel.load({
      modelPath: BUNDLED_LITE_MODEL,
      threads: 1,
      contextSize: 256,
      parallel: 1,
      queueSize: 1,
    });
    expect(model.disposed).toBe(false);
    const [first, second] = [model.dispose(), model[Symbol.asyncDispose]()];
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await model.dispose();
    expect(model.disposed).toBe(true);
  });
});

describe("the core's dispose()", () => {
  it("releases the model and the embedder when called while they are still loading", async () => {
    const { core, created } = watchedCore();
    const disposed = core.dispose(); // before either loader has finished
    await disposed;
    expect(core.state.status).toBe("draining");
    expect(core.state.parts).toBeNull();
    expect(created.engine?.disposed).toBe(true);
    await expect(embedderOf(created.embedding).embed(["hello"])).rejects.toThrow(/disposed/);
  });

  it("releases everything once when ready, and a second call is harmless", async () => {
    const { core, created } = watchedCore();
    await core.started;
    expect(core.state.status).toBe("ready");
    expect(core.state.parts?.history.mode).toBe("semantic");
    await Promise.all([core.dispose(), core.dispose()]);
    await core.dispose();
    expect(created.engine?.disposed).toBe(true);
    await expect(embedderOf(created.embedding).embed(["hello"])).rejects.toThrow(/disposed/);
  });

  it("releases the embedder when the model fails to load", async () => {
    const bogus = path.join(tempDir("gaia-own-bad-"), "bogus.gguf");
    fs.writeFileSync(bogus, "not a model at all, just text");
    const { core, created } = watchedCore({ GAIA_LITE_MODEL: bogus });
    await core.started;
    expect(core.state.status).toBe("failed");
    expect(created.engine).toBeUndefined();
    await expect(embedderOf(created.embedding).embed(["hello"])).rejects.toThrow(/disposed/);
    await core.dispose();
  });
});
