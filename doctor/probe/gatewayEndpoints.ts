/** Circuit states as the gateway may report them (cockatiel's CircuitState, by name or by its numeric value). */
export type BreakerState = "closed" | "open" | "half-open" | "isolated" | "unknown";

/** One core endpoint as the gateway sees it. */
export interface GatewayEndpoint {
  /** `primary` or `fallback` when the gateway says so, else its position. */
  name: string;
  url?: string;
  state: BreakerState;
  /** Why it last failed, when the gateway says. */
  lastFailure?: string;
}

/** The gateway's core endpoints, primary first; `fallback` is undefined when it has none. */
export interface GatewayEndpoints {
  primary?: GatewayEndpoint;
  fallback?: GatewayEndpoint;
}

const CIRCUIT_BY_NUMBER: Record<number, BreakerState> = { 0: "closed", 1: "open", 2: "half-open", 3: "isolated" };

/** Normalizes "Closed", "half_open", "halfOpen", 2… to one spelling. */
export function normalizeBreakerState(value: unknown): BreakerState {
  if (typeof value === "number") return CIRCUIT_BY_NUMBER[value] ?? "unknown";
  if (typeof value !== "string") return "unknown";
  switch (value.toLowerCase().replace(/[^a-z]/g, "")) {
    case "closed":
      return "closed";
    case "open":
      return "open";
    case "halfopen":
      return "half-open";
    case "isolated":
      return "isolated";
    default:
      return "unknown";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An endpoint from `{url, state}` (also `endpoint`, `breaker`, `circuit`), a bare state string, or null. */
function endpointFrom(name: string, value: unknown): GatewayEndpoint | undefined {
  if (value === null || value === undefined || value === false) return undefined;
  if (typeof value === "string" && /^https?:\/\//.test(value)) return { name, url: value, state: "unknown" };
  if (!isRecord(value)) return { name, state: normalizeBreakerState(value) };
  const url = [value.url, value.endpoint, value.base_url, value.baseUrl].find(
    (v): v is string => typeof v === "string",
  );
  const stateValue = value.state ?? value.breaker ?? value.circuit ?? value.breaker_state ?? value.status;
  const state = isRecord(stateValue) ? normalizeBreakerState(stateValue.state) : normalizeBreakerState(stateValue);
  if (url === undefined && stateValue === undefined) return undefined;
  const failure = value.last_failure ?? value.lastFailure;
  const lastFailure =
    typeof failure === "string"
      ? failure
      : isRecord(failure) && typeof failure.reason === "string"
        ? failure.reason
        : undefined;
  return { name, ...(url !== undefined && { url }), state, ...(lastFailure !== undefined && { lastFailure }) };
}

const FALLBACK_KEYS = ["fallback", "candidate", "secondary", "standby"];

/**
 * Reads the gateway /health `core` field in the shapes a gateway may reasonably give it:
 * `{primary:{url,state}, fallback:{url,state}|null}` (also `candidate`), `{endpoints:[…]}`, `[{name?,url,state}, …]`,
 * or `{"<url>": state}`. Returns null when nothing recognizable is there.
 */
export function parseGatewayEndpoints(core: unknown): GatewayEndpoints | null {
  let list: unknown[] | undefined;
  if (Array.isArray(core)) list = core;
  else if (isRecord(core) && Array.isArray(core.endpoints)) list = core.endpoints;
  if (list !== undefined) {
    const endpoints = list
      .map((item, i) => endpointFrom(nameOf(item) ?? (i === 0 ? "primary" : "fallback"), item))
      .filter((e): e is GatewayEndpoint => e !== undefined);
    const primary = endpoints.find((e) => e.name === "primary") ?? endpoints[0];
    const fallback = endpoints.find((e) => e !== primary && (FALLBACK_KEYS.includes(e.name) || e.name !== "primary"));
    return primary === undefined ? null : { primary, ...(fallback !== undefined && { fallback }) };
  }
  if (!isRecord(core)) return null;
  if ("primary" in core) {
    const primary = endpointFrom("primary", core.primary);
    const key = FALLBACK_KEYS.find((k) => k in core);
    const fallback = key === undefined ? undefined : endpointFrom("fallback", core[key]);
    if (primary === undefined && fallback === undefined) return null;
    return { ...(primary !== undefined && { primary }), ...(fallback !== undefined && { fallback }) };
  }
  const byUrl = Object.entries(core).filter(([k]) => /^https?:\/\//.test(k));
  if (byUrl.length > 0) {
    const [first, second] = byUrl.map(([url, value], i) => {
      const e = endpointFrom(i === 0 ? "primary" : "fallback", value) ?? { name: "", state: "unknown" as const };
      return { ...e, name: i === 0 ? "primary" : "fallback", url };
    });
    return { ...(first !== undefined && { primary: first }), ...(second !== undefined && { fallback: second }) };
  }
  return null;
}

function nameOf(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const name = [item.name, item.role, item.kind].find((v): v is string => typeof v === "string");
  if (name === undefined) return undefined;
  return FALLBACK_KEYS.includes(name.toLowerCase()) ? "fallback" : name.toLowerCase();
}
