// gaia-web entry point: config → logger → resilient client to core → HTTP server; SIGTERM/SIGINT close gracefully.
import { ConfigError } from "../../shared/config/env.js";
import { createBoundedServer } from "../../shared/http/serverDeadlines.js";
import { createLogger } from "../../shared/logging/logger.js";
import { AffinityClient } from "./affinity/AffinityClient.js";
import { CoreEndpoints } from "./affinity/CoreEndpoints.js";
import { createApp } from "./app.js";
import { loadWebConfig, type WebConfig } from "./config.js";
import { HealthMonitor } from "./health/HealthMonitor.js";
import { ResilientClient } from "./http/index.js";
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
/** Active health checks of each pair client's endpoints: stopped when its client is released, or on shutdown. */
const monitors = new Map<ResilientClient, HealthMonitor>();
const resilientClient = (primaryUrl: string, fallbackUrl: string | null) => {
  // one monitor per pair client: with N replicas that is up to N×(N−1) probers, fine for the few replicas a CPU
  // deployment runs (a monitor shared per replica would need a role-free health view)
  const monitor = config.healthCheck
    ? new HealthMonitor({
        endpoints: { primary: primaryUrl, fallback: fallbackUrl ?? undefined },
        ...config.healthCheck,
        onChange: (change) => logHealthChange(logger, change),
      })
    : null;
  monitor?.start();
  const pairClient = new ResilientClient({
    primaryUrl,
    fallbackUrl,
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
  if (monitor) monitors.set(pairClient, monitor);
  return pairClient;
};
const replicas = config.coreReplicas ? new CoreEndpoints({ ...config.coreReplicas, logger }) : null;
await replicas?.start();
// N replicas on a shared store: hash sessions over them; otherwise the primary + fallback pair, as always
const client = replicas
  ? new AffinityClient({
      endpoints: () => replicas.current(),
      fallbackUrl: config.coreFallbackEndpoint,
      maintenanceFlagPath: config.maintenanceFlagPath,
      clientFor: resilientClient,
      release: (gone) => {
        monitors.get(gone)?.stop();
        monitors.delete(gone);
      },
    })
  : resilientClient(config.coreEndpoint, config.coreFallbackEndpoint);
const app = createApp({
  client: withCoreApiKey(client, config.coreApiKey),
  logger,
  bodyLimit: config.bodyLimit,
  apiKeys: config.apiKeys,
  metricsPublic: config.metricsPublic,
  server: config.server,
});

const server = createBoundedServer(app, config.server);
server.listen(config.port, config.host, () => {
  logger.info(
    {
      port: config.port,
      host: config.host,
      core: config.coreEndpoint,
      core_fallback: config.coreFallbackEndpoint,
      core_replicas: replicas?.current() ?? null,
      maintenance_flag: config.maintenanceFlagPath,
      retry: config.retry,
      core_timeout_ms: config.coreTimeoutMs,
      breaker: config.breaker,
      health_check: config.healthCheck,
      api_keys: config.apiKeys ? config.apiKeys.size : "off",
      core_api_key: config.coreApiKey ? "set" : "unset",
      server: config.server,
    },
    "gaia-web listening",
  );
});
server.on("error", (error) => {
  logger.fatal({ err: error }, "gaia-web could not listen");
  process.exit(1);
});

let stopping = false;
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  for (const monitor of monitors.values()) monitor.stop();
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
