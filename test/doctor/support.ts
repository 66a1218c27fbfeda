// Helpers for the doctor's tests: real HTTP stand-ins on 127.0.0.1, real files, the compiled doctor as a child process.

import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type DoctorContext, gatherContext } from "../../doctor/context.js";
import { parseOptions } from "../../doctor/options.js";
import { SHARED_SUBDIRS } from "../../shared/config/sharedDirs.js";
import { REPO_ROOT, tempDir } from "../support/processes.js";

export { writeGguf } from "../support/writeGguf.js";

export const DOCTOR_ENTRY = path.join(REPO_ROOT, "dist/doctor/main.js");

/** A real HTTP server that answers GET /health with whatever the test sets, and GET /slots as an idle core does. */
export interface StandIn {
  url: string;
  port: number;
  set(status: number, body: unknown): void;
  close(): Promise<void>;
}

export async function standIn(status: number, body: unknown): Promise<StandIn> {
  let current = { status, body };
  const server = http.createServer((req, res) => {
    if (req.url === "/slots") {
      const idle = [0, 1].map((id) => ({ id, is_processing: false, session: null, tokens_cached: 0, last_used: null }));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(idle));
      return;
    }
    if (req.url !== "/health") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(current.status, { "content-type": "application/json" }).end(JSON.stringify(current.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    set(s, b) {
      current = { status: s, body: b };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A core /health body per the contract, with overrides. */
export function coreBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: "ready",
    service: "gaia-core",
    role: "primary",
    build_id: "b1",
    version: "0.1.0",
    uptime_s: 12,
    model: { path: "/models/x.gguf", name: "tiny", loaded: true, load_ms: 25 },
    history_mode: "semantic",
    history_mode_reason: null,
    queue: { active: 0, waiting: 0, capacity: 8 },
    maintenance: false,
    shared_dir: "/tmp/nowhere",
    ...overrides,
  };
}

/** The gateway's /health body as services/web serves it. */
export function gatewayBody(primaryUrl: string, fallbackUrl: string | null, overrides: Record<string, unknown> = {}) {
  const endpoint = (url: string) => ({
    url,
    breaker: "closed",
    consecutive_failures: 0,
    last_failure: null,
    last_success: null,
  });
  return {
    status: "healthy",
    service: "gaia-web",
    core: { primary: endpoint(primaryUrl), fallback: fallbackUrl === null ? null : endpoint(fallbackUrl) },
    maintenance: false,
    ...overrides,
  };
}

/** A shared dir with the given subdirs (all by default). */
export function makeSharedDir(dir: string, subdirs: readonly string[] = SHARED_SUBDIRS): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const sub of subdirs) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  return dir;
}

/** The three service flags every doctor run takes: where the primary, the candidate and the gateway answer. */
export function urlArgs(core: string, candidate: string, web: string): string[] {
  return ["--core-url", core, "--candidate-url", candidate, "--web-url", web];
}

/** The pair's shared-dir flags. */
export function sharedDirArgs(primary: string, candidate: string): string[] {
  return ["--shared-dir", primary, "--candidate-shared-dir", candidate];
}

/** A port nothing listens on (bound then released). */
export async function closedPortUrl(): Promise<string> {
  const s = await standIn(200, {});
  await s.close();
  return s.url;
}

/** Options + gathered context, with a clean environment (nothing from the test runner's env leaks in). */
export async function context(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = tempDir("gaia-doctor-cwd-"),
): Promise<DoctorContext> {
  return gatherContext(parseOptions(args, env, { cwd, isTTY: false }));
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled doctor (`npx tsc -p tsconfig.build.json` first) with a clean GAIA_* environment. */
export function runDoctorCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; uid?: number } = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GAIA_|MCP_|DOCTOR_|NO_COLOR)/.test(k)) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DOCTOR_ENTRY, ...args], {
      cwd: options.cwd ?? tempDir("gaia-doctor-cwd-"),
      env: { ...env, NODE_OPTIONS: "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.uid !== undefined && { uid: options.uid, gid: options.uid }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The summary line's three numbers. */
export function parseSummaryLine(stdout: string): { passed: number; warnings: number; failures: number } {
  const last = stdout.trimEnd().split("\n").at(-1) ?? "";
  const m = /^(\d+) passed, (\d+) warnings, (\d+) failures$/.exec(last);
  if (m === null) throw new Error(`no summary line at the end of:\n${stdout}`);
  return { passed: Number(m[1]), warnings: Number(m[2]), failures: Number(m[3]) };
}
