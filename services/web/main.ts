// gaia-web entry point: config → logger → resilient client to core → HTTP server; SIGTERM/SIGINT close gracefully.
import { ConfigError } from "../../shared/config/env.js";
import { ResilientClient } from "../../shared/http/index.js";
import { createLogger } from "../../shared/logging/logger.js";
import { createApp } from "./app.js";
import { loadWebConfig, type WebConfig } from "./config.js";
import { HealthMonitor } from "./health/HealthMonitor.js";
import { logHealthChange, logResilienceEvent } from "./resilienceLog.js";
import { withCoreApiKey } from "./withCoreApiKey.js";

let config: WebConfig;
try {
  config = loadWebConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`gaia-web: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const logger = createLogger({ service: "gaia-web", level: config.logLevel });
const monitor = config.healthCheck
  ? new HealthMonitor({
      endpoints: { primary: config.coreEndpoint, fallback: config.coreFallbackEndpoint ?? undefined },
      ...config.healthCheck,
      onChange: (change) => logHealthChange(logger, change),
    })
  : null;
const client = new ResilientClient({
  primaryUrl: config.coreEndpoint,
  fallbackUrl: config.coreFallbackEndpoint,
  maintenanceFlagPath: config.maintenanceFlagPath,
  maxAttempts: config.retry.attempts,
  baseDelayMs: config.retry.baseDelayMs,
  maxDelayMs: config.retry.maxDelayMs,
  jitter: config.retry.jitter,
  timeoutMs: config.coreTimeoutMs,
  breakerThreshold: config.breaker.threshold,
  halfOpenAfterMs: config.breaker.halfOpenAfterMs,
  onEvent: (event) => logResilienceEvent(logger, event),
  health: monitor,
});
monitor?.start();
const app = createApp({
  client: withCoreApiKey(client, config.coreApiKey),
  logger,
  bodyLimit: config.bodyLimit,
  apiKeys: config.apiKeys,
});

const server = app.listen(config.port, config.host, () => {
  logger.info(
    {
      port: config.port,
      host: config.host,
      core: config.coreEndpoint,
      core_fallback: config.coreFallbackEndpoint,
      maintenance_flag: config.maintenanceFlagPath,
      retry: config.retry,
      core_timeout_ms: config.coreTimeoutMs,
      breaker: config.breaker,
      health_check: config.healthCheck,
      api_keys: config.apiKeys ? config.apiKeys.size : "off",
      core_api_key: config.coreApiKey ? "set" : "unset",
    },
    "gaia-web listening",
  );
});
server.on("error", (error) => {
  logger.fatal({ err: error }, "gaia-web could not listen");
  process.exit(1);
});
// core may take minutes on CPU: never let Node's own request timeout cut a turn short
server.requestTimeout = 0;

let stopping = false;
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  monitor?.stop();
  logger.info({ signal }, "gaia-web stopping: draining in-flight requests");
  server.close(() => {
    logger.info("gaia-web stopped");
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => {
    logger.warn({ grace_ms: config.shutdownGraceMs }, "gaia-web grace period over; closing remaining connections");
    server.closeAllConnections();
    process.exit(0);
  }, config.shutdownGraceMs).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
