// Helpers for the container tests: run docker / docker-compose commands and poll published ports on 127.0.0.1.
// scripts/test-containers.sh sets DOCKER_HOST and a per-run compose project; run alone, the tests make their own.
import { execFile } from "node:child_process";
import { freePort, REPO_ROOT } from "../support/processes.js";

/** The tag the tests build and run (not gaia-core:local, so a developer's own image is left alone). */
export const IMAGE = process.env.GAIA_CT_IMAGE ?? "gaia-core:containers-test";
/** The build id baked into the test image; /health and X-Gaia-Build report it. */
export const BUILD_ID = process.env.GAIA_CT_BUILD_ID ?? "containers-test";
/** The compose project of this run: containers, network and volumes are all prefixed with it. */
export const PROJECT = process.env.GAIA_CT_PROJECT ?? `gaiact${process.pid}${Date.now()}`;
/** docker-compose.yml plus the test override (faster health polling and gateway backoff). */
export const COMPOSE_FILES = (
  process.env.GAIA_CT_COMPOSE_FILES ?? "docker-compose.yml:test/containers/docker-compose.test.yml"
).split(":");
/** docker-compose v1 when installed, else the v2 plugin. */
const COMPOSE_CLI: readonly string[] =
  process.env.GAIA_CT_COMPOSE === "v2" ? ["docker", "compose"] : ["docker-compose"];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command (no shell) from the repo root; never throws, except when the binary cannot start at all. */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
        if (err && typeof err.code === "string") return reject(new Error(`${file}: ${err.message}`));
        resolve({
          code: err ? (typeof err.code === "number" ? err.code : 1) : 0,
          stdout,
          stderr,
          ms: Date.now() - started,
        });
      },
    );
  });
}

/** Like {@link run} but throws (with the output) unless the command exits 0. */
export async function mustRun(
  file: string,
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const result = await run(file, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${file} ${args.join(" ")} exited ${result.code}\n--- stdout ---\n${result.stdout.slice(-4000)}\n--- stderr ---\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}

export const docker = (args: readonly string[], timeoutMs?: number) => run("docker", args, { timeoutMs });
export const mustDocker = (args: readonly string[], timeoutMs?: number) => mustRun("docker", args, { timeoutMs });

/** Host ports the compose services publish on, bound to 127.0.0.1 only. */
export interface StackPorts {
  core: number;
  candidate: number;
  web: number;
}

/**
 * What every compose test does first: free host ports for the published services, and the image built (or reused),
 * its build time reported once.
 */
export async function prepareStack(): Promise<StackPorts> {
  const ports = { core: await freePort(), candidate: await freePort(), web: await freePort() };
  const build = await buildImage();
  if (build) report("image build before compose up", build.ms);
  return ports;
}

/** Another stack than the default pair: its own project name and compose files (e.g. the replicas override). */
export interface StackFiles {
  project: string;
  files: readonly string[];
  env?: Record<string, string>;
}

/** The environment docker-compose.yml interpolates for this run. */
export function composeEnv(ports?: StackPorts, stack?: StackFiles): Record<string, string> {
  return {
    GAIA_IMAGE: IMAGE,
    GAIA_BUILD_ID: BUILD_ID,
    COMPOSE_PROJECT_NAME: stack?.project ?? PROJECT,
    COMPOSE_FILE: (stack?.files ?? COMPOSE_FILES).join(":"),
    ...stack?.env,
    ...(ports && {
      GAIA_CORE_PORT: `127.0.0.1:${ports.core}`,
      GAIA_CANDIDATE_PORT: `127.0.0.1:${ports.candidate}`,
      GAIA_WEB_PORT: `127.0.0.1:${ports.web}`,
    }),
  };
}

/** docker-compose with this run's project, files and ports (or another stack's). */
export function compose(
  args: readonly string[],
  ports?: StackPorts,
  timeoutMs?: number,
  stack?: StackFiles,
): Promise<CommandResult> {
  const [file, ...rest] = COMPOSE_CLI as [string, ...string[]];
  return run(file, [...rest, ...args], { env: composeEnv(ports, stack), timeoutMs });
}

export async function mustCompose(
  args: readonly string[],
  ports?: StackPorts,
  timeoutMs?: number,
  stack?: StackFiles,
): Promise<CommandResult> {
  const result = await compose(args, ports, timeoutMs, stack);
  if (result.code !== 0)
    throw new Error(
      `docker-compose ${args.join(" ")} exited ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`,
    );
  return result;
}

/**
 * Builds the image through compose (the `build:` of gaia-core) and returns how long it took, or null when
 * scripts/test-containers.sh already built it for this run (GAIA_CT_IMAGE_BUILT=1): one build per run, even while
 * other people keep editing the working tree.
 */
export async function buildImage(): Promise<{ ms: number; existedBefore: boolean } | null> {
  const existedBefore = (await docker(["image", "inspect", IMAGE])).code === 0;
  if (existedBefore && process.env.GAIA_CT_IMAGE_BUILT === "1") return null;
  const result = await mustCompose(["build", "gaia-core"], undefined, 1_800_000);
  return { ms: result.ms, existedBefore };
}

/** `running healthy`, `running starting`, `exited none`… for a container id. */
export async function containerState(id: string): Promise<string> {
  const r = await docker([
    "inspect",
    "-f",
    "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
    id,
  ]);
  return r.code === 0 ? r.stdout.trim() : `missing (${r.stderr.trim()})`;
}

/** The compose container id of a service. */
export async function serviceId(service: string, ports?: StackPorts, stack?: StackFiles): Promise<string> {
  const id = (await mustCompose(["ps", "-q", service], ports, undefined, stack)).stdout.trim().split("\n")[0] ?? "";
  if (!id) throw new Error(`no container for ${service}`);
  return id;
}

/** Waits until Docker reports the container healthy; returns the ms waited. Fails fast when it exits or turns unhealthy. */
export async function waitHealthy(id: string, timeoutMs = 180_000): Promise<number> {
  const started = Date.now();
  let state = "";
  while (Date.now() - started < timeoutMs) {
    state = await containerState(id);
    if (state === "running healthy") return Date.now() - started;
    if (state.startsWith("exited") || state.startsWith("dead") || state === "running unhealthy") break;
    await sleep(250);
  }
  const logs = await docker(["logs", "--tail", "30", id]);
  throw new Error(
    `container ${id.slice(0, 12)} not healthy (${state}) after ${Date.now() - started} ms\n${logs.stdout}${logs.stderr}`,
  );
}

/** Polls `url` until it answers 200; returns the ms waited. */
export async function waitHttpOk(url: string, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  let last = "no answer";
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (res.status === 200) return Date.now() - started;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${url} not OK after ${timeoutMs} ms (${last})`);
}

/** The 127.0.0.1 host port Docker published for a container port (`docker run -p 127.0.0.1::6415`). */
export async function publishedPort(id: string, containerPort: number): Promise<number> {
  const out = (await mustDocker(["port", id, `${containerPort}/tcp`])).stdout.trim().split("\n")[0] ?? "";
  const port = Number(out.split(":").pop());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no published port for ${containerPort} in "${out}"`);
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Prints a measured figure so it shows in CI logs (timings are reported, never asserted). */
export function report(label: string, ms: number): void {
  process.stdout.write(`[containers] ${label}: ${(ms / 1000).toFixed(1)} s\n`);
}
