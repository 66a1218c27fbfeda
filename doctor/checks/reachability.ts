import type { DoctorContext } from "../context.js";
import { candidateStartCommand } from "../fixes/candidateCommand.js";
import { CoreHealthSchema, GatewayHealthSchema } from "../probe/healthBodies.js";
import type { ServiceEntry } from "../registry.js";
import { type CheckResult, result } from "../result.js";

/** Is each service up and ready? One GET /health per service, bounded by the probe timeout. */
export function checkReachability(ctx: DoctorContext): CheckResult[] {
  return ctx.registry.map((service) => checkService(ctx, service));
}

function checkService(ctx: DoctorContext, service: ServiceEntry): CheckResult {
  const r = (severity: CheckResult["severity"], message: string, fix?: string) =>
    result("reachability", service.name, "health", severity, message, fix);
  const probe = ctx.probes.get(service.name);
  if (probe === undefined) return r("fail", "not probed");

  if (!probe.reachable) {
    const where = `${service.healthUrl}: ${probe.error}`;
    if (probe.timedOut) {
      if (service.kind === "core") {
        // it took the connection but said nothing: not dead (that is "connection refused") and not busy (a core
        // answers /health during generation) but frozen: SIGSTOP, docker pause, a deadlock or a stuck disk
        return r(
          "fail",
          `frozen: ${service.healthUrl} accepts connections but /health timed out (${probe.error}); the gateway's health check marks it down`,
          "look at its process state (ps -o stat: T = stopped; docker ps: Paused) and its disk; kill -CONT / docker unpause it, or restart it. The doctor never restarts a core (it may be mid-turn)",
        );
      }
      return r(
        service.required ? "fail" : "warn",
        `no answer from ${where}`,
        "look at its log. The doctor never restarts a service",
      );
    }
    switch (service.name) {
      case "primary":
        return r(
          "fail",
          `unreachable at ${where}`,
          ctx.mode === "container" ? "docker-compose up -d gaia-core" : "npm start (or npm run start:pair)",
        );
      case "candidate":
        return r(
          "fail",
          `unreachable at ${where}; no standby, so failover has nowhere to go`,
          `gaia-doctor --fix, or run: ${candidateStartCommand(ctx)}`,
        );
      case "gateway":
        return r(
          "fail",
          `unreachable at ${where}`,
          ctx.mode === "container" ? "docker-compose up -d gaia-web" : "npm run start:web",
        );
      default:
        return r(
          service.required ? "fail" : "warn",
          `unreachable at ${where}`,
          `start the service behind ${service.url}`,
        );
    }
  }

  const timing = `HTTP ${probe.httpStatus} in ${probe.ms} ms`;
  if (service.kind === "mcp") {
    return probe.httpStatus < 500 ? r("pass", `answers (${timing})`) : r("warn", `answers with an error (${timing})`);
  }

  if (service.kind === "gateway") {
    const parsed = GatewayHealthSchema.safeParse(probe.body);
    if (!parsed.success) return r("fail", `answers ${timing} but not with a gateway health body`);
    if (parsed.data.status === "healthy" && probe.httpStatus === 200) return r("pass", `healthy (${timing})`);
    const reason = typeof parsed.data.reason === "string" ? `: ${parsed.data.reason}` : "";
    return r("fail", `reports status "${parsed.data.status}"${reason} (${timing})`);
  }

  const parsed = CoreHealthSchema.safeParse(probe.body);
  if (!parsed.success)
    return r("fail", `answers ${timing} but not with a gaia-core health body`, `is ${service.url} really a gaia-core?`);
  const health = parsed.data;
  if (health.service !== undefined && health.service !== "gaia-core") {
    return r(
      "fail",
      `answers as "${health.service}", not gaia-core (${timing})`,
      `point the doctor at the core (--${service.name === "primary" ? "core" : "candidate"}-url)`,
    );
  }
  switch (health.status) {
    case "ready":
      return probe.httpStatus === 200 ? r("pass", `ready (${timing})`) : r("warn", `says ready but answers ${timing}`);
    case "loading":
      return r(
        "warn",
        `loading: the model is not ready yet (${timing})`,
        "wait; /health turns 200 once the model is loaded",
      );
    case "failed":
      return r(
        "fail",
        `failed: the core could not start its model${health.model?.error !== undefined ? `: ${health.model.error}` : ""} (${timing})`,
        "read the core's log; see the model checks below",
      );
    case "unavailable":
      return r(
        "fail",
        `not ready: ${health.reason ?? "session store not writable"} (${timing}); the gateway fails over to the other core`,
        health.session_store?.store?.startsWith("file store")
          ? "free space on (or remount read-write, or fix permissions of) the core's shared dir; it is ready again by itself once a test write succeeds"
          : "make the session store reachable and writable; the core is ready again by itself once a write succeeds",
      );
    case "draining":
      return r(
        "warn",
        `draining: shutting down, in-flight requests finishing (${timing})`,
        "start it again once it has stopped",
      );
  }
}
