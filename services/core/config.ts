import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { type ApiKeys, apiKeysFromEnv } from "../../shared/auth/ApiKeys.js";
import { BUNDLED_EMBED_DIR_RELATIVE, BUNDLED_LITE_MODEL_RELATIVE } from "../../shared/config/bundledModels.js";
import { envFlag, envInt, envUrl, parseEnv } from "../../shared/config/env.js";
import { defaultModelCacheDir, ModelCacheEnvSchema } from "../../shared/config/modelCache.js";
import { repoRoot } from "../../shared/config/repoRoot.js";
import { DEFAULT_SHARED_DIR } from "../../shared/config/sharedDirs.js";
import { ServerDeadlineEnv, type ServerDeadlines, serverDeadlinesFromEnv } from "../../shared/http/serverDeadlines.js";
import { maintenanceFlagPath } from "../../shared/maintenance/MaintenanceFlag.js";
import { type ModelReference, parseModelReference } from "../../shared/models/modelReference.js";

/** Physical cores (not SMT siblings) of this machine. */
export function physicalCores(): number {
  try {
    const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
    const cores = new Set<string>();
    let physicalId = "0";
    for (const line of cpuinfo.split("\n")) {
      const [key, value] = line.split(":").map((s) => s.trim());
      if (key === "physical id") physicalId = value ?? "0";
      if (key === "core id") cores.add(`${physicalId}:${value}`);
    }
    if (cores.size > 0) return Math.min(cores.size, os.availableParallelism());
  } catch {
    // not Linux: fall through
  }
  return os.availableParallelism();
}

/**
 * Inference threads when GAIA_THREADS is unset: physical cores minus one for Node's own thread (HTTP, embeddings).
 * llama.cpp's threads spin while they wait, so oversubscribing the CPU collapses decode: node-llama-cpp's CPU default
 * of max(4, cores) is ~100× slower on a 2-core box, and 2 threads on a busy 2-core host measured 40–100× slower than 1.
 */
export function defaultThreads(): number {
  return Math.max(1, physicalCores() - 1);
}

const bundled = (relative: string) => path.join(repoRoot(), relative);

/** Every setting of gaia-core, read from the environment once at start. Defaults are stated here and nowhere else. */
export const CoreEnvSchema = z.object({
  PORT: envInt(0, 65535).default(6415),
  HOST: z.string().default("0.0.0.0"),
  GAIA_ROLE: z.enum(["primary", "candidate"], { error: "expected primary or candidate" }).default("primary"),
  GAIA_SHARED_DIR: z.string().default(DEFAULT_SHARED_DIR),
  /** The other core's shared dir, mounted read-only: its sessions are a second, read-only source of history. */
  GAIA_PEER_SHARED_DIR: z.string().optional(),
  /** While the session store is unwritable, how often a test write checks whether it works again. */
  GAIA_STORE_PROBE_MS: envInt(50, 600_000).default(2000),
  /** A GGUF file, or a reference fetched into GAIA_MODEL_CACHE: `hf:<user>/<repo>[:<quant>]`, `https://…gguf`. */
  GAIA_LITE_MODEL: z.string().default(bundled(BUNDLED_LITE_MODEL_RELATIVE)),
  ...ModelCacheEnvSchema.shape,
  /** Folder of a transformers.js feature-extraction model; "none" turns semantic history off. */
  GAIA_EMBED_MODEL_DIR: z.string().default(bundled(BUNDLED_EMBED_DIR_RELATIVE)),
  GAIA_THREADS: envInt(1, 256).optional(),
  /** Tokens per context sequence (prompt + answer); capped by the model's training context. */
  GAIA_CONTEXT_SIZE: envInt(256, 131072).default(4096),
  /** Upper bound on generated tokens per packet, whatever the packet asks for. */
  GAIA_MAX_TOKENS_CAP: envInt(1, 32768).default(512),
  /** Context sequences: packets generated at once (batched) and sessions whose KV cache stays warm. */
  GAIA_PARALLEL: envInt(1, 64).default(2),
  /** llama.cpp's flash attention: "auto" (llama-server's default: on where the backend has it, as the CPU does). */
  GAIA_FLASH_ATTENTION: z.enum(["auto", "on", "off"]).default("auto"),
  /** Packets that may wait for a free sequence; beyond that the answer is 503 + Retry-After. */
  GAIA_QUEUE_SIZE: envInt(0, 10000).default(16),
  GAIA_BODY_LIMIT: z.string().default("1mb"),
  GAIA_BUILD_ID: z.string().optional(),
  GAIA_MAINTENANCE_FLAG: z.string().optional(),
  /** Turns kept verbatim in semantic mode; older ones are recalled by similarity. */
  GAIA_HISTORY_RECENT_TURNS: envInt(0, 1000).default(3),
  GAIA_HISTORY_RECALL_TOP_K: envInt(0, 100).default(3),
  GAIA_HISTORY_MIN_SIMILARITY: z.coerce.number().min(-1).max(1).default(0.15),
  MCP_ENDPOINT: envUrl.optional(),
  MCP_FALLBACK_ENDPOINT: envUrl.optional(),
  MCP_TIMEOUT_MS: envInt(1).default(20000),
  /** `off`: route tools only for packets that ask (`routing_requested`, `needs_tool`, `ToolRouting`); `auto`: every packet. */
  GAIA_TOOL_ROUTING: z.enum(["off", "auto"], { error: "expected off or auto" }).default("off"),
  /** A reviewed tool call runs only at this confidence or above; above 1 none runs (routing is then a dry run). */
  GAIA_TOOL_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).default(0.7),
  /** How long the MCP tool catalog (list_tools, describe_tool) is kept before it is asked again. */
  GAIA_TOOL_CATALOG_TTL_MS: envInt(0).default(60000),
  GAIA_SHUTDOWN_GRACE_MS: envInt(0).default(20000),
  /** `file` (sessions under GAIA_SHARED_DIR, one writer per volume) or a `redis://` / `rediss://` URL for replicas. */
  GAIA_SESSION_STORE: z
    .string()
    .regex(/^(file|rediss?:\/\/.+)$/, { error: "expected file or a redis:// (rediss://) URL" })
    .default("file"),
  /** Prefix of every Redis key, so deployments (or tests) can share one Redis. */
  GAIA_REDIS_PREFIX: z.string().default("gaia:"),
  /** Redis store: delete a session this many seconds after its last turn; 0 keeps sessions forever. */
  GAIA_SESSION_TTL_S: envInt(0).default(0),
  /** Redis store: a command without a reply in this time fails the packet with 503 instead of hanging it. */
  GAIA_REDIS_TIMEOUT_MS: envInt(50, 60_000).default(2000),
  /** API keys (comma list), or a file of them; when set every route but /health needs one. */
  GAIA_API_KEYS: z.string().optional(),
  GAIA_API_KEYS_FILE: z.string().optional(),
  /** Serve /metrics without a key (for a Prometheus that cannot send one). */
  GAIA_METRICS_PUBLIC: envFlag,
  /**
   * What /v1/chat/completions does with the model's reasoning when a request does not say (`reasoning_format`):
   * `none` drops it, `deepseek` returns it as `reasoning_content` (llama-server's --reasoning-format).
   */
  GAIA_REASONING_FORMAT: z.enum(["none", "deepseek"], { error: "expected none or deepseek" }).default("none"),
  ...ServerDeadlineEnv,
});

/** Resolved configuration of one core process. */
export interface CoreConfig {
  port: number;
  host: string;
  role: "primary" | "candidate";
  sharedDir: string;
  /** The peer core's shared dir (read-only), or null when this core uses only its own history. */
  peerSharedDir: string | null;
  storeProbeMs: number;
  /** What GAIA_LITE_MODEL names: a file, or a reference fetched into the model cache at start. */
  liteModel: ModelReference;
  /** The model file's path, or the reference as given (shown by /health, /props and /v1/models). */
  liteModelPath: string;
  /** Where models fetched by reference live (GAIA_MODEL_CACHE); shared by the pair. */
  modelCacheDir: string;
  /** The Hugging Face endpoint `hf:` references resolve against (GAIA_HF_ENDPOINT), or null for node-llama-cpp's. */
  huggingFaceEndpoint: string | null;
  embedModelDir: string | null;
  threads: number;
  contextSize: number;
  maxTokensCap: number;
  parallel: number;
  flashAttention: "auto" | "on" | "off";
  queueSize: number;
  bodyLimit: string;
  buildId: string | null;
  maintenanceFlagPath: string;
  history: { recentTurns: number; recallTopK: number; minSimilarity: number };
  mcp: { endpoint: string | null; fallbackEndpoint: string | null; timeoutMs: number };
  tools: { routing: "off" | "auto"; confidenceThreshold: number; catalogTtlMs: number };
  shutdownGraceMs: number;
  sessionStore: SessionStoreConfig;
  /** Keys accepted on every route but /health; null means the service is open. */
  apiKeys: ApiKeys | null;
  metricsPublic: boolean;
  /** The /v1 default for reasoning: dropped (`none`) or returned as `reasoning_content` (`deepseek`). */
  reasoningFormat: "none" | "deepseek";
  /** Request, header and keep-alive deadlines and the connection cap of the HTTP server. */
  server: ServerDeadlines;
}

/** Where sessions live: files on this core's volume (the default) or a Redis shared by replicas. */
export type SessionStoreConfig =
  | { kind: "file" }
  | { kind: "redis"; url: string; prefix: string; sessionTtlMs: number; commandTimeoutMs: number };

/** Reads and validates the environment; throws ConfigError with one line naming every bad variable. */
export function loadCoreConfig(env: NodeJS.ProcessEnv = process.env): CoreConfig {
  const e = parseEnv(CoreEnvSchema, env);
  const sharedDir = path.resolve(e.GAIA_SHARED_DIR);
  const liteModel = parseModelReference(e.GAIA_LITE_MODEL);
  const embed = e.GAIA_EMBED_MODEL_DIR.toLowerCase() === "none" ? null : path.resolve(e.GAIA_EMBED_MODEL_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    role: e.GAIA_ROLE,
    sharedDir,
    peerSharedDir: e.GAIA_PEER_SHARED_DIR ? path.resolve(e.GAIA_PEER_SHARED_DIR) : null,
    storeProbeMs: e.GAIA_STORE_PROBE_MS,
    liteModel,
    liteModelPath: liteModel.kind === "file" ? liteModel.path : liteModel.uri,
    modelCacheDir: path.resolve(e.GAIA_MODEL_CACHE ?? defaultModelCacheDir(env)),
    huggingFaceEndpoint: e.GAIA_HF_ENDPOINT ?? null,
    embedModelDir: embed,
    threads: e.GAIA_THREADS ?? defaultThreads(),
    contextSize: e.GAIA_CONTEXT_SIZE,
    maxTokensCap: e.GAIA_MAX_TOKENS_CAP,
    parallel: e.GAIA_PARALLEL,
    flashAttention: e.GAIA_FLASH_ATTENTION,
    queueSize: e.GAIA_QUEUE_SIZE,
    bodyLimit: e.GAIA_BODY_LIMIT,
    buildId: e.GAIA_BUILD_ID ?? null,
    maintenanceFlagPath: path.resolve(e.GAIA_MAINTENANCE_FLAG ?? maintenanceFlagPath(sharedDir)),
    history: {
      recentTurns: e.GAIA_HISTORY_RECENT_TURNS,
      recallTopK: e.GAIA_HISTORY_RECALL_TOP_K,
      minSimilarity: e.GAIA_HISTORY_MIN_SIMILARITY,
    },
    mcp: {
      endpoint: e.MCP_ENDPOINT ?? null,
      fallbackEndpoint: e.MCP_FALLBACK_ENDPOINT ?? null,
      timeoutMs: e.MCP_TIMEOUT_MS,
    },
    tools: {
      routing: e.GAIA_TOOL_ROUTING,
      confidenceThreshold: e.GAIA_TOOL_CONFIDENCE_THRESHOLD,
      catalogTtlMs: e.GAIA_TOOL_CATALOG_TTL_MS,
    },
    shutdownGraceMs: e.GAIA_SHUTDOWN_GRACE_MS,
    sessionStore:
      e.GAIA_SESSION_STORE === "file"
        ? { kind: "file" }
        : {
            kind: "redis",
            url: e.GAIA_SESSION_STORE,
            prefix: e.GAIA_REDIS_PREFIX,
            sessionTtlMs: e.GAIA_SESSION_TTL_S * 1000,
            commandTimeoutMs: e.GAIA_REDIS_TIMEOUT_MS,
          },
    apiKeys: apiKeysFromEnv(env),
    metricsPublic: e.GAIA_METRICS_PUBLIC,
    reasoningFormat: e.GAIA_REASONING_FORMAT,
    server: serverDeadlinesFromEnv(e),
  };
}
