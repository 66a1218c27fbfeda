// Real service processes for tests: spawn the compiled services (run `npm run build` first; `npm test` does),
// wait for their health endpoint, kill them with real signals.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { freePort, waitForOk } from "../../scripts/lib/localServices.js";
import {
  BUNDLED_EMBED_DIR_RELATIVE,
  BUNDLED_LITE_MODEL_RELATIVE,
  BUNDLED_TINY_MODEL_RELATIVE,
} from "../../shared/config/bundledModels.js";

export { freePort, waitForOk };

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const BUNDLED_LITE_MODEL = path.join(REPO_ROOT, BUNDLED_LITE_MODEL_RELATIVE);
export const BUNDLED_EMBED_MODEL_DIR = path.join(REPO_ROOT, BUNDLED_EMBED_DIR_RELATIVE);
/** The random-weight fixture: it practically never ends an answer by itself, for tests that need long generations. */
export const TINY_TEST_MODEL = path.join(REPO_ROOT, BUNDLED_TINY_MODEL_RELATIVE);

/** A fresh temp dir, removed by the caller (or left for the OS in /tmp). */
export function tempDir(prefix = "gaia-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * How long a spawned service may take to answer its ready path. Generous on purpose: a core loads a model and an
 * embedder, and with the suite's other worker spawning cores too on a busy 2-core machine this has taken over 30 s.
 * Readiness is not what these tests measure.
 */
export const READY_TIMEOUT_MS = 120_000;

export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed so far (stdout + stderr), for assertions and failure messages. */
  output(): string;
  /** Sends a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  /** Compiled entry point relative to the repo root, e.g. `dist/services/core/main.js`. */
  entry: string;
  port?: number;
  env?: Record<string, string | undefined>;
  /** Path polled until it answers 200; defaults to `/health`. Pass null to not wait. */
  readyPath?: string | null;
  readyTimeoutMs?: number;
}

/** Spawns a compiled service on 127.0.0.1 and waits until `readyPath` answers 200. */
export async function spawnService(options: SpawnOptions): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [path.join(REPO_ROOT, options.entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: "", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const service: ServiceProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  const readyPath = options.readyPath === undefined ? "/health" : options.readyPath;
  if (readyPath !== null) {
    await waitForOk(
      `${service.url}${readyPath}`,
      options.readyTimeoutMs ?? READY_TIMEOUT_MS,
      () => child.exitCode !== null,
    ).catch(async (error: Error) => {
      await service.kill("SIGKILL");
      throw new Error(`${options.entry} did not become ready: ${error.message}\n--- output ---\n${output}`);
    });
  }
  return service;
}

/** Spawns a gaia-core (primary unless `role` says otherwise) on the bundled tiny model with its own shared dir. */
export async function spawnCore(
  options: {
    role?: "primary" | "candidate";
    sharedDir?: string;
    port?: number;
    env?: Record<string, string | undefined>;
    readyTimeoutMs?: number;
  } = {},
) {
  const sharedDir = options.sharedDir ?? tempDir("gaia-core-shared-");
  const service = await spawnService({
    entry: "dist/services/core/main.js",
    port: options.port,
    ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    env: {
      GAIA_ROLE: options.role ?? "primary",
      GAIA_SHARED_DIR: sharedDir,
      GAIA_LITE_MODEL: BUNDLED_LITE_MODEL,
      GAIA_THREADS: "1",
      ...options.env,
    },
  });
  return { ...service, sharedDir };
}
