import { lookup as dnsLookup } from "node:dns/promises";
import type { Logger } from "../../../shared/logging/logger.js";

/** Resolves a host name to every address it has (the shape of `dns.promises.lookup` with `all: true`). */
export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface CoreEndpointsOptions {
  /** Configured core URLs (`http://host:port`). */
  urls: readonly string[];
  /**
   * `static`: the URLs as given. `dns`: each URL's host name stands for every address it resolves to (a Kubernetes
   * headless Service lists one address per ready pod), refreshed every `intervalMs`.
   */
  discovery: "static" | "dns";
  intervalMs?: number;
  lookup?: LookupAll;
  logger?: Logger;
}

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true });

/**
 * The core replicas the gateway hashes sessions over. With DNS discovery a failed or empty lookup keeps the last
 * known list (a DNS hiccup must not take every replica away), and a change is logged once.
 */
export class CoreEndpoints {
  private list: string[];
  private timer: NodeJS.Timeout | null = null;
  private readonly lookup: LookupAll;
  private lookupFailing = false;

  constructor(private readonly options: CoreEndpointsOptions) {
    this.list = [...new Set(options.urls)];
    this.lookup = options.lookup ?? defaultLookup;
  }

  /** The replicas right now (never empty once configured: at worst the last known or the configured list). */
  current(): readonly string[] {
    return this.list;
  }

  /** Resolves once now and then on the interval (DNS discovery only). */
  async start(): Promise<void> {
    if (this.options.discovery !== "dns") return;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One DNS round: every configured URL expanded to one URL per address. */
  async refresh(): Promise<void> {
    try {
      const expanded = await Promise.all(this.options.urls.map((url) => this.expand(url)));
      const next = [...new Set(expanded.flat())].sort();
      if (this.lookupFailing) this.options.logger?.info("core endpoint lookup works again");
      this.lookupFailing = false;
      if (next.length === 0 || next.join() === this.list.join()) return;
      this.options.logger?.info({ endpoints: next, before: this.list }, "core replicas changed");
      this.list = next;
    } catch (error) {
      if (!this.lookupFailing) {
        this.options.logger?.warn(
          { err: (error as Error).message, keeping: this.list },
          "core endpoint lookup failed; keeping the last known replicas",
        );
      }
      this.lookupFailing = true;
    }
  }

  private async expand(url: string): Promise<string[]> {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    const addresses = await this.lookup(host);
    return addresses.map(({ address, family }) => {
      const copy = new URL(url);
      copy.hostname = family === 6 ? `[${address}]` : address;
      return copy.origin;
    });
  }
}
