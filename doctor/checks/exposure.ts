import os from "node:os";
import { z } from "zod";
import type { DoctorContext } from "../context.js";
import type { ServiceEntry } from "../registry.js";
import { type CheckResult, result } from "../result.js";

/** `server` of a core's or the gateway's /health body: the deadlines it runs with. */
const ReportedDeadlinesSchema = z.looseObject({
  server: z.looseObject({
    request_timeout_ms: z.number(),
    headers_timeout_ms: z.number(),
    keep_alive_timeout_ms: z.number(),
    max_connections: z.number(),
  }),
});

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/**
 * Is the deployment exposed to slow or unknown clients by configuration? Deadlines set to 0 in the environment (the
 * services refuse to start with them) or reported off by a running service, and a core or gateway that answers
 * without an API key on an address other than loopback (checked by reaching it there, not by reading HOST).
 */
export async function checkExposure(ctx: DoctorContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const [name, value] of Object.entries(ctx.options.deadlineSettings)) {
    if (value === "0" || /^(off|none|false)$/i.test(value))
      out.push(
        result(
          "exposure",
          "environment",
          `deadline-${name.toLowerCase()}`,
          "warn",
          `${name}=${value} turns a deadline off: gaia-core and gaia-web refuse to start with it`,
          `unset ${name} (the default keeps slow clients from holding sockets) or set it to at least 100`,
        ),
      );
  }
  const services = ctx.registry.filter(
    (s) => (s.kind === "core" || s.kind === "gateway") && ctx.probes.get(s.name)?.reachable === true,
  );
  for (const service of services) out.push(...(await serviceExposure(ctx, service)));
  return out;
}

async function serviceExposure(ctx: DoctorContext, service: ServiceEntry): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const probe = ctx.probes.get(service.name);
  const reported = probe?.reachable ? ReportedDeadlinesSchema.safeParse(probe.body) : null;
  if (reported?.success) {
    const s = reported.data.server;
    const off = s.request_timeout_ms <= 0 || s.headers_timeout_ms <= 0 || s.keep_alive_timeout_ms <= 0;
    out.push(
      result(
        "exposure",
        service.name,
        "deadlines",
        off ? "warn" : "pass",
        `request deadline ${s.request_timeout_ms} ms, headers ${s.headers_timeout_ms} ms, keep-alive ${s.keep_alive_timeout_ms} ms, at most ${s.max_connections} connections`,
        off ? "set GAIA_REQUEST_TIMEOUT_MS, GAIA_HEADERS_TIMEOUT_MS and GAIA_KEEP_ALIVE_TIMEOUT_MS above 0" : undefined,
      ),
    );
  }
  const openPath = service.kind === "core" ? "/status" : "/v1/models";
  if (!(await answersWithoutKey(`${service.url}${openPath}`, ctx.options.timeoutMs))) return out;
  const url = new URL(service.url);
  const publicAddress = LOOPBACK.test(url.hostname)
    ? await publicAddressAnswering(url.port || "80", ctx.options.timeoutMs)
    : url.host;
  if (publicAddress)
    out.push(
      result(
        "exposure",
        service.name,
        "public-without-key",
        "warn",
        `answers ${openPath} without an API key on a non-loopback address (${publicAddress})`,
        "set GAIA_API_KEYS (or GAIA_API_KEYS_FILE), or bind it to loopback with HOST=127.0.0.1",
      ),
    );
  return out;
}

async function answersWithoutKey(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status !== 401;
  } catch {
    return false;
  }
}

/** The first of this machine's non-loopback IPv4 addresses where `port` answers HTTP, or null. */
async function publicAddressAnswering(port: string, timeoutMs: number): Promise<string | null> {
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === "IPv4" && !a.internal)
    .map((a) => a!.address);
  for (const address of addresses) {
    try {
      const res = await fetch(`http://${address}:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return `${address}:${port}`;
    } catch {
      // not listening there: loopback only
    }
  }
  return null;
}
