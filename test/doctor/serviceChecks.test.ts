// Service checks against real HTTP stand-ins that answer /health per the contract (the real core and gateway are used
// in pair.process.test.ts; these cover states that are hard to produce on demand: loading, failed, swapped roles, open breakers).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { checkBuildDrift } from "../../doctor/checks/buildDrift.js";
import { checkEmbedding } from "../../doctor/checks/embedding.js";
import { checkFallback } from "../../doctor/checks/fallback.js";
import { checkQueue } from "../../doctor/checks/queue.js";
import { checkReachability } from "../../doctor/checks/reachability.js";
import { checkRole } from "../../doctor/checks/role.js";
import type { CheckResult } from "../../doctor/result.js";
import { closedPortUrl, context, coreBody, gatewayBody, type StandIn, standIn, urlArgs } from "./support.js";

let primary: StandIn;
let candidate: StandIn;
let gateway: StandIn;
let down: string;

beforeAll(async () => {
  primary = await standIn(200, coreBody());
  candidate = await standIn(200, coreBody({ role: "candidate" }));
  gateway = await standIn(200, {});
  down = await closedPortUrl();
});
afterAll(async () => {
  await Promise.all([primary.close(), candidate.close(), gateway.close()]);
});

const ctx = (extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  context([...urlArgs(primary.url, candidate.url, gateway.url), "--mode", "process", ...extra], env);
const pick = (results: CheckResult[], target: string) => results.find((r) => r.target === target);

describe("reachability", () => {
  it("passes ready cores and a healthy gateway", async () => {
    primary.set(200, coreBody());
    candidate.set(200, coreBody({ role: "candidate" }));
    gateway.set(200, gatewayBody(primary.url, candidate.url));
    const results = checkReachability(await ctx());
    expect(results.map((r) => [r.target, r.severity])).toEqual([
      ["primary", "pass"],
      ["candidate", "pass"],
      ["gateway", "pass"],
    ]);
    expect(results[0]?.message).toMatch(/^ready \(HTTP 200 in \d+ ms\)$/);
  });

  it("warns while a core is loading (503), fails a failed core with the model's error", async () => {
    primary.set(503, coreBody({ status: "loading", model: { path: "/m", name: null, loaded: false, load_ms: null } }));
    candidate.set(
      503,
      coreBody({
        role: "candidate",
        status: "failed",
        model: { path: "/m", loaded: false, error: "InvalidGgufMagicError" },
      }),
    );
    const results = checkReachability(await ctx());
    expect(pick(results, "primary")).toMatchObject({ severity: "warn", message: expect.stringContaining("loading") });
    expect(pick(results, "candidate")).toMatchObject({
      severity: "fail",
      message: expect.stringContaining("InvalidGgufMagicError"),
    });
  });

  it("fails an unreachable primary and gateway; an unreachable candidate fails with the start command", async () => {
    const results = checkReachability(
      await context(["--core-url", down, "--candidate-url", down, "--web-url", down, "--mode", "process"]),
    );
    expect(results.map((r) => r.severity)).toEqual(["fail", "fail", "fail"]);
    expect(pick(results, "primary")?.message).toContain("connection refused");
    expect(pick(results, "candidate")?.message).toContain("no standby");
    expect(pick(results, "candidate")?.fix).toContain("gaia-doctor --fix, or run: ");
  });

  it("fails something on the port that is not a gaia-core", async () => {
    primary.set(200, { status: "ready", service: "something-else" });
    candidate.set(200, { hello: "world" });
    const results = checkReachability(await ctx());
    expect(pick(results, "primary")).toMatchObject({
      severity: "fail",
      message: expect.stringContaining('"something-else"'),
    });
    expect(pick(results, "candidate")).toMatchObject({
      severity: "fail",
      message: expect.stringContaining("not with a gaia-core health body"),
    });
  });

  it("fails a core whose session store cannot be written, with the reason and what to do", async () => {
    primary.set(
      503,
      coreBody({
        status: "unavailable",
        reason: "session store not writable (file store /shared/sessions): ENOSPC: no space left on device",
        session_store: {
          writable: false,
          store: "file store /shared/sessions",
          reason: "ENOSPC: no space left on device",
        },
      }),
    );
    candidate.set(200, coreBody({ role: "candidate" }));
    const results = checkReachability(await ctx());
    expect(pick(results, "primary")).toMatchObject({
      severity: "fail",
      message: expect.stringContaining("ENOSPC"),
      fix: expect.stringContaining("free space"),
    });
    primary.set(200, coreBody());
  });

  it("calls a core frozen when it accepts the connection but /health times out (not refused; not restarted)", async () => {
    const hang = http.createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
      const results = checkReachability(
        await context(["--core-url", url, "--candidate-url", down, "--web-url", down, "--timeout-ms", "200"]),
      );
      expect(pick(results, "primary")).toMatchObject({
        severity: "fail",
        message: expect.stringMatching(/^frozen: .*accepts connections but \/health timed out \(no answer/),
        fix: expect.stringContaining("never restarts"),
      });
    } finally {
      hang.closeAllConnections();
      await new Promise((r) => hang.close(r));
    }
  });

  it("probes MCP endpoints when set; an MCP that is down is a warning", async () => {
    primary.set(200, coreBody());
    const results = checkReachability(await ctx([], { MCP_ENDPOINT: `${down}/jsonrpc` }));
    expect(pick(results, "mcp")).toMatchObject({ severity: "warn" });
  });
});

describe("role", () => {
  it("passes the right roles and fails swapped ones", async () => {
    primary.set(200, coreBody());
    candidate.set(200, coreBody({ role: "candidate" }));
    expect(checkRole(await ctx()).map((r) => r.severity)).toEqual(["pass", "pass"]);
    primary.set(200, coreBody({ role: "candidate" }));
    candidate.set(200, coreBody({ role: "primary" }));
    const swapped = checkRole(await ctx());
    expect(swapped.map((r) => r.severity)).toEqual(["fail", "fail"]);
    expect(swapped[0]?.fix).toContain("GAIA_ROLE=primary");
  });
});

describe("embedding mode", () => {
  it("passes semantic mode and warns full-history mode with its reason", async () => {
    primary.set(200, coreBody());
    candidate.set(
      200,
      coreBody({
        role: "candidate",
        history_mode: "full",
        history_mode_reason: "embedding model folder not found: /models/embed",
      }),
    );
    const results = checkEmbedding(await ctx());
    expect(pick(results, "primary")).toMatchObject({ severity: "pass" });
    expect(pick(results, "candidate")).toMatchObject({
      severity: "warn",
      message: "full-history mode: embedding model folder not found: /models/embed",
    });
  });
});

describe("fallback endpoints", () => {
  it("passes when the gateway has a fallback with closed breakers", async () => {
    gateway.set(200, gatewayBody(primary.url, candidate.url));
    expect(checkFallback(await ctx())).toEqual([expect.objectContaining({ id: "core-fallback", severity: "pass" })]);
  });

  it("warns on a missing fallback, an open primary breaker, and a gateway that does not report its endpoints", async () => {
    gateway.set(200, gatewayBody(primary.url, null));
    expect(checkFallback(await ctx())).toEqual([
      expect.objectContaining({
        id: "core-fallback",
        severity: "warn",
        fix: expect.stringContaining("CORE_FALLBACK_ENDPOINT"),
      }),
    ]);

    const body = gatewayBody(primary.url, candidate.url);
    (body.core.primary as { breaker: string }).breaker = "open";
    (body.core.primary as { last_failure: unknown }).last_failure = { at: "now", reason: "connect ECONNREFUSED" };
    gateway.set(200, body);
    const open = checkFallback(await ctx());
    expect(open.map((r) => [r.id, r.severity])).toEqual([
      ["core-fallback", "pass"],
      ["primary-breaker", "warn"],
    ]);
    expect(open[1]?.message).toContain("connect ECONNREFUSED");

    gateway.set(200, { status: "healthy", service: "gaia-web" });
    expect(checkFallback(await ctx())).toEqual([
      expect.objectContaining({
        id: "core-endpoints",
        severity: "warn",
        message: expect.stringContaining("cannot be verified"),
      }),
    ]);
  });

  it("warns when MCP_ENDPOINT is set without MCP_FALLBACK_ENDPOINT", async () => {
    gateway.set(200, gatewayBody(primary.url, candidate.url));
    const results = checkFallback(await ctx([], { MCP_ENDPOINT: "http://127.0.0.1:1/jsonrpc" }));
    expect(pick(results, "mcp")).toMatchObject({
      severity: "warn",
      message: expect.stringContaining("without MCP_FALLBACK_ENDPOINT"),
    });
    const both = checkFallback(
      await ctx([], {
        MCP_ENDPOINT: "http://127.0.0.1:1/jsonrpc",
        MCP_FALLBACK_ENDPOINT: "http://127.0.0.1:2/jsonrpc",
      }),
    );
    expect(pick(both, "mcp")).toMatchObject({ severity: "pass" });
  });
});

describe("build drift", () => {
  it("passes the same build and warns on differing builds", async () => {
    primary.set(200, coreBody({ build_id: "abc" }));
    candidate.set(200, coreBody({ role: "candidate", build_id: "abc" }));
    expect(checkBuildDrift(await ctx())).toEqual([
      expect.objectContaining({ severity: "pass", message: "same build abc v0.1.0" }),
    ]);
    candidate.set(200, coreBody({ role: "candidate", build_id: "old" }));
    expect(checkBuildDrift(await ctx())).toEqual([
      expect.objectContaining({ severity: "warn", message: "primary runs build abc v0.1.0, candidate old v0.1.0" }),
    ]);
  });

  it("says nothing when a core is down (reachability already fails it)", async () => {
    expect(checkBuildDrift(await ctx(["--candidate-url", down]))).toEqual([]);
  });
});

describe("queue depth", () => {
  it("warns from half the capacity on", async () => {
    primary.set(200, coreBody({ queue: { active: 1, waiting: 3, capacity: 8 } }));
    candidate.set(200, coreBody({ role: "candidate", queue: { active: 1, waiting: 4, capacity: 8 } }));
    const results = checkQueue(await ctx());
    expect(pick(results, "primary")).toMatchObject({ severity: "pass", message: "1 active, 3 waiting of 8" });
    expect(pick(results, "candidate")).toMatchObject({ severity: "warn", message: expect.stringContaining("filling") });
    candidate.set(200, coreBody({ role: "candidate", queue: { active: 2, waiting: 8, capacity: 8 } }));
    expect(pick(checkQueue(await ctx()), "candidate")?.message).toContain("full");
  });
});
