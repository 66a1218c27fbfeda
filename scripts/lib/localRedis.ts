// A private redis-server (Debian's package) on a free loopback port with its own dir, for tests and benchmarks:
// started, killed and restarted with real signals.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./localServices.js";

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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-redis-"));
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
