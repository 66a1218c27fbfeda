import type { DoctorOptions } from "./options.js";

/** What kind of service an entry is; decides which health body it must return. */
export type ServiceKind = "core" | "gateway" | "mcp";

/** One service of the deployment the doctor probes. */
export interface ServiceEntry {
  /** Short name used as the check target: `primary`, `candidate`, `gateway`, `mcp`, `mcp-fallback`. */
  name: string;
  kind: ServiceKind;
  /** For cores: the role it must report. */
  role?: "primary" | "candidate";
  /** Base URL (no trailing slash). */
  url: string;
  /** Where its health is read from. */
  healthUrl: string;
  /** Compose service name, for starting it and finding its volume. */
  composeService?: string;
  /** Unreachable is a failure (true) or a warning (false). */
  required: boolean;
}

/**
 * The deployment's services, from the same settings the services use (the original doctor's registry, cut to what
 * this repo runs):
 * both cores and the gateway always; MCP primary/fallback only when `MCP_ENDPOINT` / `MCP_FALLBACK_ENDPOINT` are set.
 * The candidate is required: a standby that is down is the failure HA exists to prevent.
 */
export function buildRegistry(options: DoctorOptions): ServiceEntry[] {
  const entries: ServiceEntry[] = [
    core("primary", options.coreUrl, "gaia-core"),
    core("candidate", options.candidateUrl, "gaia-core-candidate"),
    {
      name: "gateway",
      kind: "gateway",
      url: options.webUrl,
      healthUrl: `${options.webUrl}/health`,
      composeService: "gaia-web",
      required: true,
    },
  ];
  if (options.mcpEndpoint !== undefined) entries.push(mcp("mcp", options.mcpEndpoint));
  if (options.mcpFallbackEndpoint !== undefined) entries.push(mcp("mcp-fallback", options.mcpFallbackEndpoint));
  return entries;
}

function core(role: "primary" | "candidate", url: string, composeService: string): ServiceEntry {
  return { name: role, kind: "core", role, url, healthUrl: `${url}/health`, composeService, required: true };
}

/** MCP serves JSON-RPC on a path (e.g. /jsonrpc) and health at the origin's /health, as the original's registry probed. */
function mcp(name: string, endpoint: string): ServiceEntry {
  return { name, kind: "mcp", url: endpoint, healthUrl: `${new URL(endpoint).origin}/health`, required: false };
}
