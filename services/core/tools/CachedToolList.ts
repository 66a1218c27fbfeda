import type { ToolRun, ToolRunner } from "./ToolRunner.js";

/** Keeps the tool list for `ttlMs` so a packet does not cost an extra MCP round trip; running a tool is never cached. */
export class CachedToolList implements ToolRunner {
  private cached: { at: number; tools: Promise<string[] | null> } | null = null;

  constructor(
    private readonly inner: ToolRunner,
    private readonly ttlMs = 60_000,
  ) {}

  listTools(): Promise<string[] | null> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.ttlMs) {
      const tools = this.inner.listTools();
      this.cached = { at: now, tools };
      // a failed listing is retried on the next packet rather than cached
      void tools.then((t) => {
        if (t === null) this.cached = null;
      });
    }
    return this.cached.tools;
  }

  run(tool: string, params: Record<string, unknown>): Promise<ToolRun> {
    return this.inner.run(tool, params);
  }
}
