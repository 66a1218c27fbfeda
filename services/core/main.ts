// gaia-core entry point: config → self-check → listen (status "loading") → load model and embedder → ready.
// SIGTERM/SIGINT drain in-flight packets, then release the model and exit.
import { ConfigError } from "../../shared/config/env.js";
import { SHARED_SUBDIRS } from "../../shared/config/sharedDirs.js";
import { createBoundedServer } from "../../shared/http/serverDeadlines.js";
import { createLogger } from "../../shared/logging/logger.js";
import { type CoreConfig, loadCoreConfig } from "./config.js";
import { createCore } from "./createCore.js";
import { runSelfCheck } from "./startup/selfCheck.js";

function fatal(line: string): never {
  process.stderr.write(`gaia-core: ${line}\n`);
  process.exit(1);
}

let config: CoreConfig;
try {
  config = loadCoreConfig();
} catch (error) {
  fatal(error instanceof ConfigError ? error.message : String(error));
}
const logger = createLogger({ service: "gaia-core", bindings: { role: config.role } });

const check = runSelfCheck({
  sharedDir: config.sharedDir,
  subdirs: SHARED_SUBDIRS,
  modelPath: config.liteModelPath,
  embedModelDir: config.embedModelDir,
});
if (!check.ok) fatal(check.problem);
for (const warning of check.warnings) logger.warn({ warning }, "self-check warning");

const core = createCore(config, logger);
const server = createBoundedServer(core.app, config.server);
server.listen(config.port, config.host, () => {
  logger.info(
    {
      port: config.port,
      host: config.host,
      build_id: core.buildId,
      threads: config.threads,
      parallel: config.parallel,
      api_keys: config.apiKeys ? config.apiKeys.size : "off",
      metrics_public: config.metricsPublic,
      server: config.server,
    },
    "listening; loading model",
  );
});
server.on("error", (error) => fatal(`cannot listen on ${config.host}:${config.port}: ${error.message}`));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, in_flight: core.state.parts?.engine.load() }, "draining");
  core.state.markDraining();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
  await Promise.race([closed, grace]);
  server.closeAllConnections();
  await core.dispose().catch(() => undefined);
  logger.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
