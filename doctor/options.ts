import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { BUNDLED_LITE_MODEL_RELATIVE } from "../shared/config/bundledModels.js";
import { ConfigError, envInt, envUrl, parseEnv } from "../shared/config/env.js";

/** A bad command line or environment: the doctor prints it with the usage text and exits 3. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** How the deployment runs: node processes on this machine, or containers under compose. */
export type DeploymentMode = "process" | "container";

/** A path and where its value came from, so the report can say why it checked that path. */
export interface SourcedPath {
  path: string;
  source: "flag" | "env" | "default";
}

/** Everything the doctor needs to know, from flags over environment over defaults. */
export interface DoctorOptions {
  /** Primary core base URL (`--core-url`, `GAIA_CORE_URL`, default http://127.0.0.1:6415). */
  coreUrl: string;
  /** Candidate core base URL (`--candidate-url`, `GAIA_CANDIDATE_URL`, default http://127.0.0.1:6416). */
  candidateUrl: string;
  /** Gateway base URL (`--web-url`, `GAIA_WEB_URL`, default http://127.0.0.1:6414). */
  webUrl: string;
  /** MCP JSON-RPC endpoint the cores use (`MCP_ENDPOINT`); checked only when set. */
  mcpEndpoint?: string;
  /** MCP fallback endpoint (`MCP_FALLBACK_ENDPOINT`); checked only when set. */
  mcpFallbackEndpoint?: string;
  /** Primary's shared dir when given explicitly (`--shared-dir`, `GAIA_SHARED_DIR`); otherwise resolved later. */
  sharedDir?: SourcedPath;
  /** Candidate's shared dir when given explicitly (`--candidate-shared-dir`, `GAIA_CANDIDATE_SHARED_DIR`). */
  candidateSharedDir?: SourcedPath;
  /** Where the primary's dir is when nothing says otherwise: `.data/primary` if the start:pair layout exists, else `.data/shared`. */
  defaultSharedDir: string;
  /** Where the candidate's dir is when nothing says otherwise: `.data/candidate`. */
  defaultCandidateSharedDir: string;
  /** The maintenance flag file the gateway reads (`GAIA_MAINTENANCE_FLAG`), when set. */
  maintenanceFlag?: string;
  /** GGUF the cores load (`--model`, `GAIA_LITE_MODEL`, default: the bundled model). */
  model: SourcedPath;
  /** Per-request timeout for health probes in ms (`--timeout-ms`, default 3000). */
  timeoutMs: number;
  /** How long `--fix` waits for a started candidate to answer /health, in ms (`--wait-ms`, default 90000). */
  waitMs: number;
  /** `--mode`: process, container, or auto (detect). */
  mode: DeploymentMode | "auto";
  /** `--expect-uid`: the owner the shared dirs must have; a mismatch is then a failure, and `--fix` as root chowns to it. */
  expectUid?: number;
  json: boolean;
  fix: boolean;
  /** `--clear-maintenance`: remove the maintenance flag (never done by `--fix` alone). */
  clearMaintenance: boolean;
  /** `--expect-maintenance`: maintenance on is intended, not a warning. */
  expectMaintenance: boolean;
  /** Key the doctor sends to the cores (`CORE_API_KEY`, the gateway's key); unset: none sent. */
  coreApiKey?: string;
  /** Key the doctor sends to the gateway (`GAIA_API_KEY`, else the first of the gateway's `GAIA_API_KEYS`). */
  apiKey?: string;
  /** The server deadline variables the services read, as set in the doctor's environment (checked for 0 / off). */
  deadlineSettings: Record<string, string>;
  /** Colour output: stdout is a TTY and NO_COLOR is unset. */
  color: boolean;
  /** Directory relative paths and compose files are looked up from. */
  cwd: string;
  help: boolean;
}

/** The services' deadline variables (shared/http/serverDeadlines.ts): 0 or "off" turns one off. */
export const DEADLINE_VARIABLES = ["GAIA_REQUEST_TIMEOUT_MS", "GAIA_HEADERS_TIMEOUT_MS", "GAIA_KEEP_ALIVE_TIMEOUT_MS"];

export const DEFAULTS = {
  coreUrl: "http://127.0.0.1:6415",
  candidateUrl: "http://127.0.0.1:6416",
  webUrl: "http://127.0.0.1:6414",
  model: BUNDLED_LITE_MODEL_RELATIVE,
  timeoutMs: 3000,
  waitMs: 90_000,
  /** start:pair's layout: one dir per core under .data. */
  pairPrimaryDir: ".data/primary",
  pairCandidateDir: ".data/candidate",
  /** A lone core's default (shared/config/sharedDirs.ts DEFAULT_SHARED_DIR). */
  singleSharedDir: ".data/shared",
} as const;

export const USAGE = `Usage: gaia-doctor [--fix] [--json] [options]

Checks the gaia-core deployment (primary, candidate, gateway, shared dirs, model) and, with --fix,
repairs what is safe: creates missing shared dirs, fixes their ownership when run as root, starts a
stopped candidate under docker-compose (or prints the command to start it). Never restarts a core.

  --fix                      repair what is safe, then re-run the affected checks
  --clear-maintenance        remove the maintenance flag (turns failover back on)
  --expect-maintenance       maintenance mode is intended: do not warn about it
  --json                     print { checks, summary, fixes } as JSON and nothing else
  --core-url URL             primary core        (GAIA_CORE_URL, default ${DEFAULTS.coreUrl})
  --candidate-url URL        candidate core      (GAIA_CANDIDATE_URL, default ${DEFAULTS.candidateUrl})
  --web-url URL              gateway             (GAIA_WEB_URL, default ${DEFAULTS.webUrl})
  --shared-dir DIR           primary's shared dir (GAIA_SHARED_DIR; default: the dir the running
                             primary reports, else ${DEFAULTS.pairPrimaryDir} when it exists, else ${DEFAULTS.singleSharedDir})
  --candidate-shared-dir DIR candidate's shared dir (GAIA_CANDIDATE_SHARED_DIR; default: the dir the
                             running candidate reports, else ${DEFAULTS.pairCandidateDir})
  --model PATH               GGUF to check       (GAIA_LITE_MODEL, default ${DEFAULTS.model})
  --expect-uid UID           owner the shared dirs must have (default: 1000 in container mode,
                             your own uid in process mode; a mismatch fails only in container
                             mode or when this flag is given)
  --mode auto|process|container   how the deployment runs (GAIA_DOCTOR_MODE, default auto)
  (keys: CORE_API_KEY is sent to the cores, GAIA_API_KEY, else the first of GAIA_API_KEYS, to the gateway)
  --timeout-ms MS            health probe timeout (default ${DEFAULTS.timeoutMs})
  --wait-ms MS               how long --fix waits for a started candidate (default ${DEFAULTS.waitMs})
  -h, --help                 this text

Exit code: 0 all passed, 1 warnings only, 2 any failure, 3 usage error.`;

/** Environment schema; flags are laid over the environment under the same names before parsing. */
const schema = z.object({
  GAIA_CORE_URL: envUrl.default(DEFAULTS.coreUrl),
  GAIA_CANDIDATE_URL: envUrl.default(DEFAULTS.candidateUrl),
  GAIA_WEB_URL: envUrl.default(DEFAULTS.webUrl),
  MCP_ENDPOINT: envUrl.optional(),
  MCP_FALLBACK_ENDPOINT: envUrl.optional(),
  GAIA_SHARED_DIR: z.string().optional(),
  GAIA_CANDIDATE_SHARED_DIR: z.string().optional(),
  GAIA_MAINTENANCE_FLAG: z.string().optional(),
  GAIA_LITE_MODEL: z.string().optional(),
  GAIA_DOCTOR_MODE: z.enum(["auto", "process", "container"]).default("auto"),
  DOCTOR_TIMEOUT_MS: envInt(1, 600_000).default(DEFAULTS.timeoutMs),
  DOCTOR_WAIT_MS: envInt(0, 3_600_000).default(DEFAULTS.waitMs),
  DOCTOR_EXPECT_UID: envInt(0, 2 ** 32 - 1).optional(),
  CORE_API_KEY: z.string().optional(),
  GAIA_API_KEY: z.string().optional(),
  GAIA_API_KEYS: z.string().optional(),
});

/** Flag name → the schema key it overrides. */
const FLAG_TO_KEY = {
  "core-url": "GAIA_CORE_URL",
  "candidate-url": "GAIA_CANDIDATE_URL",
  "web-url": "GAIA_WEB_URL",
  "shared-dir": "GAIA_SHARED_DIR",
  "candidate-shared-dir": "GAIA_CANDIDATE_SHARED_DIR",
  model: "GAIA_LITE_MODEL",
  mode: "GAIA_DOCTOR_MODE",
  "timeout-ms": "DOCTOR_TIMEOUT_MS",
  "wait-ms": "DOCTOR_WAIT_MS",
  "expect-uid": "DOCTOR_EXPECT_UID",
} as const;

/** Parses argv (without node and script) and the environment into options; throws {@link UsageError}. */
export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: { cwd?: string; isTTY?: boolean } = {},
): DoctorOptions {
  const cwd = io.cwd ?? process.cwd();
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        fix: { type: "boolean" },
        json: { type: "boolean" },
        "clear-maintenance": { type: "boolean" },
        "expect-maintenance": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(Object.keys(FLAG_TO_KEY).map((k) => [k, { type: "string" as const }])),
      },
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  // Flags win over the environment: lay them over it under the environment's names, then validate once.
  const merged: NodeJS.ProcessEnv = {};
  for (const key of Object.keys(schema.shape)) merged[key] = env[key];
  const fromFlag = new Set<string>();
  for (const [flag, key] of Object.entries(FLAG_TO_KEY)) {
    const value = values[flag];
    if (typeof value === "string") {
      if (value.trim() === "") throw new UsageError(`--${flag} needs a value`);
      merged[key] = value;
      fromFlag.add(key);
    }
  }
  let config: z.infer<typeof schema>;
  try {
    config = parseEnv(schema, merged);
  } catch (error) {
    if (error instanceof ConfigError) {
      // Name problems after the flag when the value came from one.
      const flagFor = (key: string) => Object.entries(FLAG_TO_KEY).find(([, k]) => k === key)?.[0];
      throw new UsageError(
        error.problems
          .map((p) => {
            const key = p.split(":")[0] ?? "";
            return fromFlag.has(key) ? `--${flagFor(key)}${p.slice(key.length)}` : p;
          })
          .join("; "),
      );
    }
    throw error;
  }

  const sourced = (key: keyof typeof config, value: string | undefined): SourcedPath | undefined =>
    value === undefined ? undefined : { path: path.resolve(cwd, value), source: fromFlag.has(key) ? "flag" : "env" };

  const pairLayout = fs.existsSync(path.resolve(cwd, DEFAULTS.pairPrimaryDir));
  let sharedDir = sourced("GAIA_SHARED_DIR", config.GAIA_SHARED_DIR);
  let candidateSharedDir = sourced("GAIA_CANDIDATE_SHARED_DIR", config.GAIA_CANDIDATE_SHARED_DIR);
  // Run beside (or inside) a candidate, GAIA_SHARED_DIR is the candidate's dir: the services read it that way.
  if (env.GAIA_ROLE === "candidate" && sharedDir?.source === "env" && candidateSharedDir === undefined) {
    candidateSharedDir = sharedDir;
    sharedDir = undefined;
  }
  return {
    coreUrl: config.GAIA_CORE_URL,
    candidateUrl: config.GAIA_CANDIDATE_URL,
    webUrl: config.GAIA_WEB_URL,
    ...(config.MCP_ENDPOINT !== undefined && { mcpEndpoint: config.MCP_ENDPOINT }),
    ...(config.MCP_FALLBACK_ENDPOINT !== undefined && { mcpFallbackEndpoint: config.MCP_FALLBACK_ENDPOINT }),
    ...optional("sharedDir", sharedDir),
    ...optional("candidateSharedDir", candidateSharedDir),
    defaultSharedDir: path.resolve(cwd, pairLayout ? DEFAULTS.pairPrimaryDir : DEFAULTS.singleSharedDir),
    defaultCandidateSharedDir: path.resolve(cwd, DEFAULTS.pairCandidateDir),
    ...(config.GAIA_MAINTENANCE_FLAG !== undefined && {
      maintenanceFlag: path.resolve(cwd, config.GAIA_MAINTENANCE_FLAG),
    }),
    model: sourced("GAIA_LITE_MODEL", config.GAIA_LITE_MODEL) ?? {
      path: path.resolve(cwd, DEFAULTS.model),
      source: "default",
    },
    timeoutMs: config.DOCTOR_TIMEOUT_MS,
    waitMs: config.DOCTOR_WAIT_MS,
    mode: config.GAIA_DOCTOR_MODE,
    ...(config.DOCTOR_EXPECT_UID !== undefined && { expectUid: config.DOCTOR_EXPECT_UID }),
    ...optional("coreApiKey", config.CORE_API_KEY),
    ...optional("apiKey", config.GAIA_API_KEY ?? config.GAIA_API_KEYS?.split(",")[0]?.trim()),
    deadlineSettings: Object.fromEntries(
      DEADLINE_VARIABLES.filter((name) => (env[name] ?? "").trim() !== "").map((name) => [
        name,
        (env[name] ?? "").trim(),
      ]),
    ),
    json: values.json === true,
    fix: values.fix === true,
    clearMaintenance: values["clear-maintenance"] === true,
    expectMaintenance: values["expect-maintenance"] === true,
    color: (io.isTTY ?? process.stdout.isTTY === true) && !("NO_COLOR" in env && env.NO_COLOR !== ""),
    cwd,
    help: values.help === true,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
