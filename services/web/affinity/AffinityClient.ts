import { isMaintenanceOn } from "../../../shared/maintenance/MaintenanceFlag.js";
import type { CoreClient } from "../CoreClient.js";
import {
  type ClientSnapshot,
  type EndpointSnapshot,
  type ResilientClient,
  type ResilientRequest,
  type ServedResponse,
  UpstreamUnavailableError,
} from "../http/index.js";
import { rendezvousOrder } from "./rendezvousOrder.js";

export interface AffinityClientOptions {
  /** The replicas, read on every request (they may change with DNS discovery). */
  endpoints: () => readonly string[];
  /** Used as the fallback when only one replica is known. */
  fallbackUrl?: string | null;
  maintenanceFlagPath?: string | null;
  /** The resilient client for one (preferred replica, fallback replica) pair: retries, breaker, failover. */
  clientFor: (primaryUrl: string, fallbackUrl: string | null) => ResilientClient;
  /** Told about a pair client that is no longer used (one of its replicas left), to stop what clientFor started. */
  release?: (client: ResilientClient) => void;
}

/**
 * Session affinity over N core replicas that share one session store: a session's packets go to the replica ranked
 * first for its `session_id` (its KV cache is warm there), with the replica ranked second as the failover target.
 * Any replica can answer any session (the history is in the shared store), so this is about speed, never about
 * correctness. Each (first, second) pair gets its own resilient client with the pair semantics of the two-core setup.
 */
export class AffinityClient implements CoreClient {
  private readonly pairs = new Map<string, ResilientClient>();
  private knownEndpoints = "";

  constructor(private readonly options: AffinityClientOptions) {}

  maintenance(): boolean {
    return isMaintenanceOn(this.options.maintenanceFlagPath);
  }

  async post(path: string, request: ResilientRequest): Promise<ServedResponse> {
    const endpoints = this.options.endpoints();
    const [first, second] = rendezvousOrder(affinityKey(request), endpoints);
    if (!first) {
      throw new UpstreamUnavailableError(
        "(no core replica)",
        { kind: "connection", error: new Error("no core replica is known") },
        null,
        request.method ?? "POST",
      );
    }
    return this.pair(first, second ?? this.options.fallbackUrl ?? null, endpoints).post(path, request);
  }

  /** `/health`: each replica as a preferred endpoint (the worst of its pairs); the first two as primary/fallback. */
  state(): ClientSnapshot & { replicas: EndpointSnapshot[] } {
    const replicas = this.options.endpoints().map((url) => this.replicaSnapshot(url));
    const idle = (url: string): EndpointSnapshot => ({
      url,
      breaker: "closed",
      consecutive_failures: 0,
      last_failure: null,
      last_success: null,
      health: null,
    });
    // failovers summed over every pair client, by reason
    const failovers: ClientSnapshot["failovers"] = {};
    for (const client of this.pairs.values()) {
      for (const [reason, count] of Object.entries(client.state().failovers) as Array<
        [keyof ClientSnapshot["failovers"], number]
      >)
        failovers[reason] = (failovers[reason] ?? 0) + count;
    }
    return {
      primary: replicas[0] ?? idle("(no core replica)"),
      fallback: replicas[1] ?? null,
      maintenance: this.maintenance(),
      failovers,
      replicas,
    };
  }

  private pair(first: string, second: string | null, endpoints: readonly string[]): ResilientClient {
    const known = endpoints.join(",");
    if (known !== this.knownEndpoints) {
      // replicas changed: forget pairs with a replica that is gone
      for (const [key, client] of this.pairs) {
        const [a, b] = JSON.parse(key) as [string, string | null];
        if (!endpoints.includes(a) || (b !== null && !endpoints.includes(b))) {
          this.pairs.delete(key);
          this.options.release?.(client);
        }
      }
      this.knownEndpoints = known;
    }
    const key = JSON.stringify([first, second]);
    let client = this.pairs.get(key);
    if (!client) {
      client = this.options.clientFor(first, second);
      this.pairs.set(key, client);
    }
    return client;
  }

  private replicaSnapshot(url: string): EndpointSnapshot {
    const seen = [...this.pairs.values()].map((client) => client.state().primary).filter((s) => s.url === url);
    const rank = { closed: 0, half_open: 1, open: 2, isolated: 3 } as const;
    const latest = (values: (string | null)[]) =>
      values
        .filter((v): v is string => v !== null)
        .sort()
        .at(-1) ?? null;
    const failures = seen.map((s) => s.last_failure).filter((f) => f !== null);
    return {
      url,
      breaker: seen.map((s) => s.breaker).sort((a, b) => rank[b] - rank[a])[0] ?? "closed",
      consecutive_failures: Math.max(0, ...seen.map((s) => s.consecutive_failures)),
      last_failure: failures.sort((a, b) => (a.at < b.at ? -1 : 1)).at(-1) ?? null,
      last_success: latest(seen.map((s) => s.last_success)),
      // down if any pair's health check sees it down (each pair client probes its own replicas)
      health: seen.map((s) => s.health).find((h) => h?.state === "down") ?? seen.find((s) => s.health)?.health ?? null,
    };
  }
}

/**
 * What a request is hashed on: the key its route chose (`/v1`: the user or the conversation), else its session (so a
 * conversation stays on one replica), else its packet.
 */
function affinityKey(request: ResilientRequest): string {
  const context = request.context ?? {};
  if (typeof context.affinity_key === "string") return context.affinity_key;
  const session = context.session_id;
  if (typeof session === "string") return session;
  return typeof context.packet_id === "string" ? context.packet_id : "";
}
