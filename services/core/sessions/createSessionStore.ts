import path from "node:path";
import type { Logger } from "../../../shared/logging/logger.js";
import type { CoreConfig } from "../config.js";
import { FileSessionStore } from "./FileSessionStore.js";
import { RedisSessionStore } from "./RedisSessionStore.js";
import type { SessionStore } from "./SessionStore.js";

/** The session store the config names: files under the shared dir (default) or the Redis at GAIA_SESSION_STORE. */
export function createSessionStore(
  config: Pick<CoreConfig, "sharedDir" | "sessionStore" | "storeProbeMs">,
  logger: Logger,
): SessionStore {
  const store = config.sessionStore;
  if (store.kind === "redis") {
    return new RedisSessionStore({
      url: store.url,
      prefix: store.prefix,
      sessionTtlMs: store.sessionTtlMs,
      commandTimeoutMs: store.commandTimeoutMs,
      logger,
    });
  }
  return new FileSessionStore({
    dir: path.join(config.sharedDir, "sessions"),
    logger,
    probeIntervalMs: config.storeProbeMs,
  });
}
