import { type DoctorContext, gatewayHealth } from "../context.js";
import { type BreakerState, type GatewayEndpoint, parseGatewayEndpoints } from "../probe/gatewayEndpoints.js";
import { type CheckResult, result } from "../result.js";

/**
 * Are the fallback endpoints configured (the gateway's CORE_FALLBACK_ENDPOINT, the core's
 * MCP_FALLBACK_ENDPOINT), and what do the gateway's breakers say about each core endpoint right now?
 */
export function checkFallback(ctx: DoctorContext): CheckResult[] {
  return [...gatewayFallback(ctx), ...mcpFallback(ctx)];
}

const OPENISH: ReadonlySet<BreakerState> = new Set(["open", "half-open", "isolated"]);

function gatewayFallback(ctx: DoctorContext): CheckResult[] {
  const health = gatewayHealth(ctx);
  if (health === undefined) return []; // unreachable or not a gateway: reported under reachability
  const r = (id: string, severity: CheckResult["severity"], message: string, fix?: string) =>
    result("fallback", "gateway", id, severity, message, fix);
  const setFallback = `set CORE_FALLBACK_ENDPOINT on the gateway (${ctx.mode === "container" ? "http://gaia-core-candidate:6415" : ctx.options.candidateUrl})`;
  if (health.core === undefined) {
    return [
      r(
        "core-endpoints",
        "warn",
        "the gateway's /health has no `core` field, so its fallback endpoint cannot be verified",
      ),
    ];
  }
  const endpoints = parseGatewayEndpoints(health.core);
  if (endpoints === null) {
    return [
      r(
        "core-endpoints",
        "warn",
        `cannot read the gateway's core endpoints from ${JSON.stringify(health.core).slice(0, 120)}`,
      ),
    ];
  }
  const out: CheckResult[] = [];
  const { primary, fallback } = endpoints;
  if (fallback === undefined) {
    out.push(
      r(
        "core-fallback",
        "warn",
        `no fallback core endpoint: if ${describe(primary)} goes down, requests fail`,
        setFallback,
      ),
    );
  } else if (primary?.url !== undefined && fallback.url !== undefined && sameEndpoint(primary.url, fallback.url)) {
    out.push(r("core-fallback", "warn", `the fallback is the primary itself (${fallback.url})`, setFallback));
  } else {
    out.push(r("core-fallback", "pass", `primary ${describe(primary)}, fallback ${describe(fallback)}`));
  }
  if (primary !== undefined && OPENISH.has(primary.state)) {
    out.push(
      r(
        "primary-breaker",
        "warn",
        `the gateway's breaker for the primary is ${primary.state}: traffic goes to the fallback${primary.lastFailure !== undefined ? ` (last failure: ${primary.lastFailure})` : ""}`,
        "see the primary's reachability above; the breaker closes by itself once the primary answers",
      ),
    );
  }
  if (fallback !== undefined && OPENISH.has(fallback.state)) {
    out.push(
      r(
        "fallback-breaker",
        "warn",
        `the gateway's breaker for the fallback is ${fallback.state}: no standby right now`,
      ),
    );
  }
  return out;
}

function mcpFallback(ctx: DoctorContext): CheckResult[] {
  const { mcpEndpoint, mcpFallbackEndpoint } = ctx.options;
  if (mcpEndpoint === undefined) return [];
  if (mcpFallbackEndpoint === undefined) {
    return [
      result(
        "fallback",
        "mcp",
        "mcp-fallback",
        "warn",
        `MCP_ENDPOINT is set (${mcpEndpoint}) without MCP_FALLBACK_ENDPOINT: tool calls have no fallback`,
        "set MCP_FALLBACK_ENDPOINT for the cores (the original used http://gaia-mcp-candidate:8765/jsonrpc)",
      ),
    ];
  }
  if (sameEndpoint(mcpEndpoint, mcpFallbackEndpoint)) {
    return [
      result(
        "fallback",
        "mcp",
        "mcp-fallback",
        "warn",
        `MCP_FALLBACK_ENDPOINT is MCP_ENDPOINT itself (${mcpEndpoint})`,
      ),
    ];
  }
  return [result("fallback", "mcp", "mcp-fallback", "pass", `MCP ${mcpEndpoint}, fallback ${mcpFallbackEndpoint}`)];
}

function describe(endpoint: GatewayEndpoint | undefined): string {
  if (endpoint === undefined) return "the primary";
  return `${endpoint.url ?? endpoint.name} (${endpoint.state})`;
}

function sameEndpoint(a: string, b: string): boolean {
  try {
    return new URL(a).href.replace(/\/+$/, "") === new URL(b).href.replace(/\/+$/, "");
  } catch {
    return a === b;
  }
}
