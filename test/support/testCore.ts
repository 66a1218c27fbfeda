// A real core (real app, real bundled GGUF, real session files) for supertest; never listens.

import { type CoreConfig, loadCoreConfig } from "../../services/core/config.js";
import { type Core, createCore } from "../../services/core/createCore.js";
import { createLogger } from "../../shared/logging/logger.js";
import { BUNDLED_EMBED_MODEL_DIR, BUNDLED_LITE_MODEL, tempDir } from "./processes.js";

export interface TestCoreOptions {
  /** Extra env (strings, as the service reads them). */
  env?: Record<string, string>;
  /** Use the bundled embedding fixture (semantic mode); default: no embedder (full mode). */
  semantic?: boolean;
  sharedDir?: string;
}

export interface TestCore extends Core {
  config: CoreConfig;
}

/** Starts a core on the default bundled model with its own temp shared dir and waits until it is ready or failed. */
export async function startTestCore(options: TestCoreOptions = {}): Promise<TestCore> {
  const config = loadCoreConfig({
    GAIA_SHARED_DIR: options.sharedDir ?? tempDir("gaia-core-test-"),
    GAIA_LITE_MODEL: BUNDLED_LITE_MODEL,
    GAIA_EMBED_MODEL_DIR: options.semantic ? BUNDLED_EMBED_MODEL_DIR : "none",
    GAIA_THREADS: "1",
    GAIA_CONTEXT_SIZE: "2048",
    GAIA_MAX_TOKENS_CAP: "24",
    ...options.env,
  });
  const core = createCore(config, createLogger({ service: "gaia-core-test", level: "silent" }));
  await core.started;
  return { ...core, config };
}
