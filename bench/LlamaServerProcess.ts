import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "../scripts/lib/localServices.js";
import { peakRssOf } from "./CoreProcess.js";
import { pinnedCommand } from "./cpuVariantPin.js";

export interface LlamaServerOptions {
  binary: string;
  modelPath: string;
  threads: number;
  /** Slots (`-np`). */
  parallel: number;
  /** Tokens per slot; the server's `-c` is the total, so it is given slots × this. */
  contextSize: number;
  batchSize: number;
  readyTimeoutMs?: number;
  /** ggml CPU variant files to hide from this process (see cpuVariantPin); none by default. */
  hideVariantFiles?: readonly string[];
}

/**
 * llama.cpp's own `llama-server` on 127.0.0.1, started as a user would to serve the same GGUF: the same threads for
 * decode and for prompt batches, the same per-slot context, slots and batch size, no web UI. Everything else stays at
 * its defaults (prompt cache on, flash attention auto) but the log verbosity.
 */
export class LlamaServerProcess {
  private output = "";
  /** Everything it printed until it was ready (the model, buffer and context lines), kept whole. */
  startupLog = "";
  private starting = true;

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {
    child.stdout?.on("data", (d: Buffer) => this.keep(d));
    child.stderr?.on("data", (d: Buffer) => this.keep(d));
  }

  static async start(options: LlamaServerOptions): Promise<LlamaServerProcess> {
    const port = await freePort();
    const args = [
      "-m",
      options.modelPath,
      "-t",
      String(options.threads),
      "-tb",
      String(options.threads),
      "-c",
      String(options.contextSize * options.parallel),
      "-np",
      String(options.parallel),
      "-b",
      String(options.batchSize),
      "-ub",
      String(options.batchSize),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--no-webui",
      // verbosity 4 (trace) prints llama.cpp's start-up lines (model, KV and compute buffer sizes) that 3 hides; it
      // adds a few lines per request, none per token
      "-lv",
      "4",
    ];
    const pinned = pinnedCommand(options.binary, args, options.hideVariantFiles ?? []);
    const child = spawn(pinned.command, pinned.args, { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const server = new LlamaServerProcess(`http://127.0.0.1:${port}`, child, exited);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`llama-server exited (${child.exitCode ?? child.signalCode}): ${server.tail()}`);
      try {
        const res = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.status === 200) {
          server.starting = false;
          return server;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`llama-server not ready in time: ${server.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  peakRssBytes(): number | null {
    return peakRssOf(this.pid);
  }

  /** SIGTERM, SIGKILL if it has not exited within 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  private tail(): string {
    return this.output.slice(-2000);
  }

  private keep(data: Buffer): void {
    if (this.starting && this.startupLog.length < 1_000_000) this.startupLog += data.toString();
    this.output = (this.output + data.toString()).slice(-20_000);
  }
}
