import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../scripts/lib/localServices.js";
import { CORE_NODE_FLAGS, CORE_PROCESS_ENV } from "../services/core/launchFlags.js";
import { repoRoot } from "../shared/config/repoRoot.js";
import { pinnedCommand } from "./cpuVariantPin.js";

export { freePort };

const CORE_ENTRY = "dist/services/core/main.js";

export interface CoreProcessOptions {
  /** Compiled entry point relative to the repo root (the real core, or the bench's stub core). */
  entry: string;
  env: Record<string, string>;
  /** How long the model may take to load. */
  readyTimeoutMs?: number;
  /** ggml CPU variant files to hide from this process (see cpuVariantPin); none by default. */
  hideVariantFiles?: readonly string[];
}

/** Peak resident set size (VmHWM) of a running process, in bytes; null where /proc is missing. */
export function peakRssOf(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * A gaia-core (or the stub core) in its own process on 127.0.0.1, so the bench client never shares its event loop
 * and the service's memory is measured alone.
 */
export class CoreProcess {
  private output = "";
  private pending = "";
  /** The core's `model ready` log line (pino JSON), once seen; needs LOG_LEVEL=info or lower. */
  modelReady: Record<string, unknown> | null = null;

  private constructor(
    readonly url: string,
    readonly sharedDir: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {
    child.stdout?.on("data", (d: Buffer) => {
      this.keep(d);
      this.watchForModelReady(d);
    });
    child.stderr?.on("data", (d: Buffer) => this.keep(d));
  }

  static async start(options: CoreProcessOptions): Promise<CoreProcess> {
    const port = await freePort();
    const sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-bench-shared-"));
    // the real core runs with the flags and environment it ships with (npm start, the image)
    const isCore = options.entry === CORE_ENTRY;
    const { command, args } = pinnedCommand(
      process.execPath,
      [...(isCore ? CORE_NODE_FLAGS : []), path.join(repoRoot(), options.entry)],
      options.hideVariantFiles ?? [],
    );
    const child = spawn(command, args, {
      cwd: repoRoot(),
      env: {
        ...process.env,
        NODE_OPTIONS: "",
        HOST: "127.0.0.1",
        PORT: String(port),
        GAIA_SHARED_DIR: sharedDir,
        LOG_LEVEL: "warn",
        GAIA_EMBED_MODEL_DIR: "none",
        ...(isCore ? CORE_PROCESS_ENV : {}),
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const core = new CoreProcess(`http://127.0.0.1:${port}`, sharedDir, child, exited);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${options.entry} exited (${child.exitCode ?? child.signalCode}): ${core.output.slice(-2000)}`);
      try {
        const res = await fetch(`${core.url}/health`, { signal: AbortSignal.timeout(5000) });
        const body = (await res.json()) as { status: string };
        if (res.status === 200) return core;
        if (body.status === "failed") throw new Error(`model failed to load: ${JSON.stringify(body)}`);
      } catch (error) {
        if ((error as Error).message.startsWith("model failed")) {
          await core.stop();
          throw error;
        }
      }
      if (Date.now() > deadline) {
        await core.stop();
        throw new Error(`${options.entry} not ready in time: ${core.output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The process's peak resident set size so far (VmHWM), in bytes; null where /proc is missing. */
  peakRssBytes(): number | null {
    return peakRssOf(this.pid);
  }

  async health(): Promise<Record<string, unknown>> {
    return (await (await fetch(`${this.url}/health`)).json()) as Record<string, unknown>;
  }

  /** SIGTERM (the core drains and exits), SIGKILL if it does not within 15 s; removes the shared dir. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.sharedDir, { recursive: true, force: true });
  }

  private watchForModelReady(data: Buffer): void {
    if (this.modelReady) return;
    this.pending += data.toString();
    const lines = this.pending.split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.includes('"model ready"')) continue;
      try {
        this.modelReady = JSON.parse(line) as Record<string, unknown>;
        this.pending = "";
        return;
      } catch {
        // not the JSON line it looked like
      }
    }
  }

  private keep(data: Buffer): void {
    this.output = (this.output + data.toString()).slice(-20_000);
  }
}
