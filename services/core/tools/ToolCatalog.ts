import type { ToolRunner } from "./ToolRunner.js";

/** One tool as the selector sees it; `params` is null when `describe_tool` failed for it. */
export interface CatalogTool {
  name: string;
  description: string;
  params: Record<string, unknown> | null;
}

/** A tool the selector may choose: its params schema is known. */
export interface OfferedTool extends CatalogTool {
  params: Record<string, unknown>;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

/**
 * The MCP tool catalog, cached for `ttlMs` so a packet does not cost MCP round trips: the names (`list_tools`, on every
 * packet) and, only when a packet routes, each tool's description (`describe_tool`). Calls go through the runner, so
 * they fail over like every MCP call. A failed listing or description is not cached: the next packet asks again.
 */
export class ToolCatalog {
  private names: Cached<string[] | null> | null = null;
  private readonly descriptions = new Map<string, Cached<CatalogTool>>();

  constructor(
    readonly runner: ToolRunner,
    private readonly ttlMs = 60_000,
  ) {}

  /** Tool names, or null when no tool server answered. */
  listTools(): Promise<string[] | null> {
    if (!this.names || this.expired(this.names)) {
      const value = this.runner.listTools();
      const entry = { at: Date.now(), value };
      this.names = entry;
      void value.then((names) => {
        if (names === null && this.names === entry) this.names = null;
      });
    }
    return this.names.value;
  }

  /** Every listed tool with its description and params schema (null params: its description failed). */
  async describe(names: readonly string[]): Promise<CatalogTool[]> {
    return Promise.all(names.map((name) => this.describeOne(name)));
  }

  private describeOne(name: string): Promise<CatalogTool> {
    const cached = this.descriptions.get(name);
    if (cached && !this.expired(cached)) return cached.value;
    const value = this.runner
      .describeTool(name)
      .then((d): CatalogTool => (d ? { name, ...d } : { name, description: "", params: null }));
    const entry = { at: Date.now(), value };
    this.descriptions.set(name, entry);
    void value.then((tool) => {
      if (tool.params === null && this.descriptions.get(name) === entry) this.descriptions.delete(name);
    });
    return value;
  }

  private expired(entry: Cached<unknown>): boolean {
    return Date.now() - entry.at > this.ttlMs;
  }
}
