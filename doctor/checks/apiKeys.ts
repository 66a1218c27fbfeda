import type { DoctorContext } from "../context.js";
import type { ServiceEntry } from "../registry.js";
import { type CheckResult, result } from "../result.js";

/** What an authenticated GET found: the status, and whether a gaia-core (not the gateway) produced the answer. */
interface KeyProbe {
  status: number | null;
  fromCore: boolean;
  error?: string;
}

async function getWithKey(url: string, key: string | undefined, timeoutMs: number): Promise<KeyProbe> {
  try {
    const res = await fetch(url, {
      headers: { accept: "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { status: res.status, fromCore: res.headers.has("x-gaia-role") };
  } catch (error) {
    return { status: null, fromCore: false, error: (error as Error).message };
  }
}

/**
 * Do the keys line up? Each core is asked for an authenticated route with CORE_API_KEY (the key the gateway sends),
 * and the gateway for /v1/models with GAIA_API_KEY (a client's key), which it forwards to a core with its own key:
 * a 401 that a core produced is a key mismatch between the gateway and the cores. Only a 200 or a 401 is reported
 * (anything else says nothing about keys). Keys are never printed.
 */
export async function checkApiKeys(ctx: DoctorContext): Promise<CheckResult[]> {
  const { coreApiKey, apiKey } = ctx.options;
  const reachable = (s: ServiceEntry) => ctx.probes.get(s.name)?.reachable === true;
  const out: CheckResult[] = [];
  const openCores: string[] = [];
  const lockedCores: string[] = [];
  for (const service of ctx.registry.filter((s) => s.kind === "core" && reachable(s))) {
    const r = (severity: CheckResult["severity"], message: string, fix?: string) =>
      result("api-keys", service.name, "core-key", severity, message, fix);
    const probe = await getWithKey(`${service.url}/status`, coreApiKey, ctx.options.timeoutMs);
    if (probe.status === 401) {
      lockedCores.push(service.name);
      out.push(
        coreApiKey
          ? r(
              "fail",
              "rejects CORE_API_KEY",
              "give the cores' GAIA_API_KEYS and the gateway's CORE_API_KEY the same key",
            )
          : r("fail", "requires an API key and none was given", "set CORE_API_KEY to the key the gateway sends"),
      );
    } else if (probe.status === 200) {
      const open =
        !coreApiKey || (await getWithKey(`${service.url}/status`, undefined, ctx.options.timeoutMs)).status === 200;
      (open ? openCores : lockedCores).push(service.name);
      out.push(r("pass", open ? "open (no API keys configured)" : "accepts CORE_API_KEY"));
    }
    // any other answer (an error, a core still loading) says nothing about keys; reachability reports it
  }
  if (openCores.length > 0 && lockedCores.length > 0) {
    out.push(
      result(
        "api-keys",
        "primary/candidate",
        "same-keys",
        "fail",
        `${openCores.join(", ")} open but ${lockedCores.join(", ")} requires keys: after a failover clients meet other rules`,
        "set the same GAIA_API_KEYS (or GAIA_API_KEYS_FILE) on both cores",
      ),
    );
  }

  const gateway = ctx.registry.find((s) => s.kind === "gateway");
  if (gateway && reachable(gateway)) {
    const r = (severity: CheckResult["severity"], message: string, fix?: string) =>
      result("api-keys", "gateway", "gateway-to-core", severity, message, fix);
    const probe = await getWithKey(`${gateway.url}/v1/models`, apiKey, ctx.options.timeoutMs);
    if (probe.status === 200) out.push(r("pass", "the gateway's key is accepted by the core it reached"));
    else if (probe.status === 401 && probe.fromCore)
      out.push(
        r(
          "fail",
          "key mismatch: the core rejects the key the gateway sends (CORE_API_KEY)",
          "set the gateway's CORE_API_KEY to one of the cores' GAIA_API_KEYS",
        ),
      );
    else if (probe.status === 401)
      out.push(
        r(
          "fail",
          apiKey ? "the gateway rejects GAIA_API_KEY" : "the gateway requires an API key and none was given",
          "set GAIA_API_KEY to one of the gateway's GAIA_API_KEYS",
        ),
      );
    // any other answer (no core ready, a gateway without /v1) says nothing about keys: reachability and fallback report it
  }
  return out;
}
