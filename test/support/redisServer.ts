// A real redis-server for tests (Debian's package): started on a free loopback port with its own dir, killed and
// restarted with real signals. When the binary is not installed, suites that need it skip and say so on stderr.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import net from "node:net";
import { freePort, tempDir } from "./processes.js";

/** Path of redis-server, or null when it is not installed (`apt-get install -y redis-server`). */
export function findRedisServer(): string | null {
  for (const candidate of [
    process.env.GAIA_TEST_REDIS_SERVER,
    "/usr/bin/redis-server",
    "/usr/local/bin/redis-server",
  ]) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * `describe` when redis-server is installed, else `describe.skip` after printing one SKIPPED line naming the suite:
 * a skip is said out loud, never a silent pass.
 */
export function redisAvailable(suite: string): boolean {
  const found = findRedisServer() !== null;
  if (!found)
    process.stderr.write(`${suite}: SKIPPED: redis-server is not installed (apt-get install -y redis-server)\n`);
  return found;
}

export interface RedisServer {
  url: string;
  port: number;
  /** SIGKILL (no goodbye to clients, as a crash), then wait for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (an append-only file, when enabled, brings the data back). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Persist every write to an append-only file (fsync always), so a killed server restarts with its data. */
  appendOnly?: boolean;
}

/** Starts a private redis-server on a free 127.0.0.1 port and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server is not installed");
  const port = await freePort();
  const dir = tempDir("gaia-redis-");
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.appendOnly ? "yes" : "no",
    ...(options.appendOnly ? ["--appendfsync", "always"] : []),
    "--daemonize",
    "no",
    "--loglevel",
    "warning",
  ];
  let child: ChildProcess | null = null;
  let output = "";
  const launch = async () => {
    const started = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    started.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    started.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    child = started;
    await waitForPing(port, 10_000, () => started.exitCode !== null).catch((error: Error) => {
      started.kill("SIGKILL");
      throw new Error(`redis-server did not start: ${error.message}\n${output}`);
    });
  };
  const killWith = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill(signal);
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => killWith("SIGKILL"),
    restart: launch,
    stop: () => killWith("SIGTERM"),
  };
}

/** Polls with a raw PING until the server answers +PONG (no client library: this tests the server being up). */
async function waitForPing(port: number, timeoutMs: number, died: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died()) throw new Error("redis-server exited");
    const pong = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.setTimeout(500, () => socket.destroy());
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("+PONG"));
      });
      socket.once("error", () => resolve(false));
      socket.once("close", () => resolve(false));
    });
    if (pong) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no PONG on port ${port} after ${timeoutMs} ms`);
}

/**
 * The Redis a suite that only reads and writes uses: the one at GAIA_TEST_REDIS_URL when CI started one, else a
 * private server (suites that kill Redis always start their own). Callers isolate themselves with a unique prefix.
 */
export async function redisForSuite(): Promise<{ url: string; stop(): Promise<void> }> {
  const shared = process.env.GAIA_TEST_REDIS_URL;
  if (shared) return { url: shared, stop: async () => {} };
  return startRedisServer();
}

/** A key prefix no other test (or run) uses. */
export function uniquePrefix(label: string): string {
  return `gaia-test:${label}:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}:`;
}
