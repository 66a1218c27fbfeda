// The real gaia-core app with the stub engine, as its own process: `npm run bench` measures the service's own cost
// per packet with it. Same env as the core (PORT, HOST, GAIA_SHARED_DIR, GAIA_EMBED_MODEL_DIR, LOG_LEVEL…).

import { loadCoreConfig } from "../services/core/config.js";
import { createCore } from "../services/core/createCore.js";
import { createLogger } from "../shared/logging/logger.js";
import { StubEngine } from "./StubEngine.js";

const config = loadCoreConfig();
const logger = createLogger({ service: "gaia-core-stub", bindings: { role: config.role } });
const core = createCore(config, logger, { loadEngine: async () => new StubEngine() });
const server = core.app.listen(config.port, config.host);
server.on("error", (error) => {
  process.stderr.write(`stub core: cannot listen: ${error.message}\n`);
  process.exit(1);
});
const stop = () => {
  server.close(() => void core.dispose().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
