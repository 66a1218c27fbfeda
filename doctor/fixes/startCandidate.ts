import { CANDIDATE_SERVICE } from "../compose.js";
import type { DoctorContext } from "../context.js";
import { probeHealth } from "../probe/healthProbe.js";
import type { FixRecord } from "../result.js";
import { candidateStartCommand } from "./candidateCommand.js";

/**
 * Starts a candidate that is down (connection refused, not slow: a slow core may be mid-turn and is left alone).
 * Only compose is trusted to start it (container mode with a compose file defining gaia-core-candidate and a working
 * engine), then the doctor waits, bounded, for its /health. Otherwise nothing is started and the exact command is given.
 */
export async function startCandidate(ctx: DoctorContext): Promise<FixRecord[]> {
  const candidate = ctx.registry.find((s) => s.name === "candidate");
  const probe = ctx.probes.get("candidate");
  if (candidate === undefined || probe === undefined || probe.reachable || probe.timedOut) return [];

  const command = candidateStartCommand(ctx);
  const compose = ctx.compose;
  if (ctx.mode !== "container" || compose === undefined || (await compose.command()) === null) {
    const why =
      ctx.mode !== "container"
        ? "process mode: the doctor does not start cores itself"
        : compose === undefined
          ? "no compose file defining gaia-core-candidate in this directory"
          : "no docker-compose with a reachable engine";
    return [
      {
        id: "start-candidate",
        target: "candidate",
        applied: false,
        message: `not started (${why}); run it yourself`,
        command,
      },
    ];
  }

  const args = ["up", "-d", "--no-deps", CANDIDATE_SERVICE]; // --no-deps: never touch the primary
  const shown = await compose.describe(args);
  const up = await compose.run(args, 180_000);
  if (up.code !== 0) {
    const detail = up.error ?? up.stderr.trim().split("\n").slice(-1)[0] ?? `exit ${up.code}`;
    return [
      {
        id: "start-candidate",
        target: "candidate",
        applied: false,
        message: `compose could not start it: ${detail}`,
        command: shown,
      },
    ];
  }
  const deadline = Date.now() + ctx.options.waitMs;
  for (;;) {
    const again = await probeHealth(candidate, ctx.options.timeoutMs);
    if (again.reachable && again.httpStatus === 200) {
      return [
        {
          id: "start-candidate",
          target: "candidate",
          applied: true,
          message: "started and answering /health",
          command: shown,
        },
      ];
    }
    if (Date.now() >= deadline) {
      const state = again.reachable ? `HTTP ${again.httpStatus}` : again.error;
      return [
        {
          id: "start-candidate",
          target: "candidate",
          applied: true,
          message: `started, but not ready after ${ctx.options.waitMs} ms (${state})`,
          command: shown,
        },
      ];
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
