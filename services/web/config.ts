import path from "node:path";
import { z } from "zod";
import { type ApiKeys, apiKeysFromEnv } from "../../shared/auth/ApiKeys.js";
import { envFlag, envInt, envUrl, parseEnv } from "../../shared/config/env.js";
import { ServerDeadlineEnv, type ServerDeadlines, serverDeadlinesFromEnv } from "../../shared/http/serverDeadlines.js";
import { maintenanceFlagPath } from "../../shared/maintenance/MaintenanceFlag.js";
import type { JitterMode } from "./http/index.js";

/** The gateway's environment; defaults are the original's and the contract's ports. */
export const WebEnvSchema = z.object({
  PORT: envInt(1, 65535).default(6414),
  HOST: z.string().default("0.0.0.0"),
  CORE_ENDPOINT: envUrl.default("http://127.0.0.1:6415"),
  CORE_FALLBACK_ENDPOINT: envUrl.optional(),
  /** Replicas sharing one session store, comma-separated: sessions are hashed over them (overrides CORE_ENDPOINT). */
  CORE_ENDPOINTS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== ""),
    )
    .pipe(z.array(envUrl).min(1))
    .optional(),
  /** `dns`: each CORE_ENDPOINTS host stands for all its addresses (a Kubernetes headless Service), re-resolved. */
  GAIA_CORE_DISCOVERY: z.enum(["static", "dns"]).default("static"),
  GAIA_CORE_DISCOVERY_INTERVAL_MS: envInt(100).default(5000),
  GAIA_SHARED_DIR: z.string().optional(),
  GAIA_MAINTENANCE_FLAG: z.string().optional(),
  GAIA_RETRY_ATTEMPTS: envInt(1, 20).default(3),
  GAIA_RETRY_BASE_DELAY_MS: envInt(0).default(2000),
  GAIA_RETRY_MAX_DELAY_MS: envInt(0).default(30_000),
  GAIA_RETRY_JITTER: z.enum(["none", "full", "half"]).default("none"),
  GAIA_CORE_TIMEOUT_MS: envInt(1).default(300_000),
  GAIA_BREAKER_THRESHOLD: envInt(1).default(3),
  GAIA_BREAKER_HALF_OPEN_MS: envInt(1).default(5000),
  /** Active health checks of both cores: interval (0 turns them off), timeout, failures to down, successes to up. */
  GAIA_HEALTH_INTERVAL_MS: envInt(0).default(2000),
  GAIA_HEALTH_TIMEOUT_MS: envInt(1).default(1000),
  GAIA_HEALTH_FAILURES: envInt(1, 100).default(2),
  GAIA_HEALTH_SUCCESSES: envInt(1, 100).default(2),
  GAIA_WEB_BODY_LIMIT: z.string().default("16mb"),
  GAIA_SHUTDOWN_GRACE_MS: envInt(0).default(10_000),
  LOG_LEVEL: z.string().default("info"),
  /** Keys clients must send to the gateway (comma list, or a file); unset: the gateway is open. */
  GAIA_API_KEYS: z.string().optional(),
  GAIA_API_KEYS_FILE: z.string().optional(),
  /** The key the gateway sends to the cores (one of theirs). */
  CORE_API_KEY: z.string().optional(),
  /** Serve /metrics without a key (for a Prometheus that cannot send one). */
  GAIA_METRICS_PUBLIC: envFlag,
  ...ServerDeadlineEnv,
});

/** Resolved gateway configuration. */
export interface WebConfig {
  port: number;
  host: string;
  coreEndpoint: string;
  coreFallbackEndpoint: string | null;
  /** Replicas for session affinity; null = the two-endpoint pair (CORE_ENDPOINT + CORE_FALLBACK_ENDPOINT). */
  coreReplicas: { urls: string[]; discovery: "static" | "dns"; intervalMs: number } | null;
  maintenanceFlagPath: string;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number; jitter: JitterMode };
  coreTimeoutMs: number;
  breaker: { threshold: number; halfOpenAfterMs: number };
  /** null when GAIA_HEALTH_INTERVAL_MS=0 (no active health checks). */
  healthCheck: { intervalMs: number; timeoutMs: number; failuresToDown: number; successesToUp: number } | null;
  bodyLimit: string;
  shutdownGraceMs: number;
  logLevel: string;
  apiKeys: ApiKeys | null;
  coreApiKey: string | null;
  metricsPublic: boolean;
  /** Request, header and keep-alive deadlines and the connection cap of the HTTP server. */
  server: ServerDeadlines;
}

/** Reads and validates the environment; throws ConfigError with one line naming every bad variable. */
export function loadWebConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  const e = parseEnv(WebEnvSchema, env);
  const sharedDir = e.GAIA_SHARED_DIR ?? ".data/shared";
  return {
    port: e.PORT,
    host: e.HOST,
    coreEndpoint: e.CORE_ENDPOINTS?.[0] ?? e.CORE_ENDPOINT,
    coreFallbackEndpoint: e.CORE_FALLBACK_ENDPOINT ?? null,
    coreReplicas:
      e.CORE_ENDPOINTS && (e.CORE_ENDPOINTS.length > 1 || e.GAIA_CORE_DISCOVERY === "dns")
        ? { urls: e.CORE_ENDPOINTS, discovery: e.GAIA_CORE_DISCOVERY, intervalMs: e.GAIA_CORE_DISCOVERY_INTERVAL_MS }
        : null,
    maintenanceFlagPath: path.resolve(e.GAIA_MAINTENANCE_FLAG ?? maintenanceFlagPath(sharedDir)),
    retry: {
      attempts: e.GAIA_RETRY_ATTEMPTS,
      baseDelayMs: e.GAIA_RETRY_BASE_DELAY_MS,
      maxDelayMs: e.GAIA_RETRY_MAX_DELAY_MS,
      jitter: e.GAIA_RETRY_JITTER,
    },
    coreTimeoutMs: e.GAIA_CORE_TIMEOUT_MS,
    breaker: { threshold: e.GAIA_BREAKER_THRESHOLD, halfOpenAfterMs: e.GAIA_BREAKER_HALF_OPEN_MS },
    healthCheck:
      e.GAIA_HEALTH_INTERVAL_MS === 0
        ? null
        : {
            intervalMs: e.GAIA_HEALTH_INTERVAL_MS,
            timeoutMs: e.GAIA_HEALTH_TIMEOUT_MS,
            failuresToDown: e.GAIA_HEALTH_FAILURES,
            successesToUp: e.GAIA_HEALTH_SUCCESSES,
          },
    bodyLimit: e.GAIA_WEB_BODY_LIMIT,
    shutdownGraceMs: e.GAIA_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    apiKeys: apiKeysFromEnv(env),
    coreApiKey: e.CORE_API_KEY ?? null,
    metricsPublic: e.GAIA_METRICS_PUBLIC,
    server: serverDeadlinesFromEnv(e),
  };
}
