// The core's one dispose() against a real redis-server and the real bundled model: the store stays usable while the
// model is released (a packet finishing its turn during shutdown can still store it) and is closed once, after.
// The loader is the real one, wrapped only to see what the store can do at the moment the model is released.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadCoreConfig } from "../../services/core/config.js";
import { type Core, createCore } from "../../services/core/createCore.js";
import { LiteModel } from "../../services/core/inference/LiteModel.js";
import { createLogger } from "../../shared/logging/logger.js";
import { BUNDLED_LITE_MODEL, tempDir } from "../support/processes.js";
import { redisAvailable, redisForSuite, uniquePrefix } from "../support/redisServer.js";

const logger = createLogger({ service: "gaia-core-test", level: "silent" });
const maybe = redisAvailable("createCore lifecycle") ? describe : describe.skip;

maybe("createCore dispose() with a Redis session store", () => {
  let redis: { url: string; stop(): Promise<void> };
  beforeAll(async () => {
    redis = await redisForSuite();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("releases the model while Redis still answers, then closes the Redis connection", async () => {
    const atModelRelease: { count?: number | string; writable?: boolean } = {};
    let core: Core | undefined;
    const config = loadCoreConfig({
      GAIA_SHARED_DIR: tempDir("gaia-lifecycle-"),
      GAIA_LITE_MODEL: BUNDLED_LITE_MODEL,
      GAIA_EMBED_MODEL_DIR: "none",
      GAIA_THREADS: "1",
      GAIA_CONTEXT_SIZE: "512",
      GAIA_SESSION_STORE: redis.url,
      GAIA_REDIS_PREFIX: uniquePrefix("lifecycle"),
    });
    core = createCore(config, logger, {
      loadEngine: async (c, log) => {
        const model = await LiteModel.load({
          modelPath: c.liteModelPath,
          threads: c.threads,
          contextSize: c.contextSize,
          parallel: c.parallel,
          queueSize: c.queueSize,
          logger: log,
        });
        const release = model.dispose.bind(model);
        model.dispose = async () => {
          const store = (core as Core).store;
          atModelRelease.count = await store.count().catch((error: Error) => error.message);
          atModelRelease.writable = store.health().writable;
          await release();
        };
        return model;
      },
    });
    await core.started;
    expect(core.state.status).toBe("ready");

    await core.dispose();
    expect(atModelRelease).toEqual({ count: 0, writable: true });
    // closed after: the connection is gone
    await expect(core.store.count()).rejects.toThrow();
  });
});
