// GAIA's tool routing on /process_packet: the real app and the bundled GGUF choose and review a tool with two
// grammar-constrained calls, gate it, and run it on a stand-in gaia-mcp (a real HTTP JSON-RPC server on 127.0.0.1).
// The bundled model cannot judge tools, so which tool it picks is fixed by what the stand-in offers (needs_tool: true
// leaves no "none" choice) and the gate's outcome by GAIA_TOOL_CONFIDENCE_THRESHOLD (0 opens it, 1.5 never does).
import { afterEach, describe, expect, it } from "@jest/globals";
import { Ajv } from "ajv";
import request from "supertest";
import type { CognitionPacket } from "../../shared/packet/index.js";
import { gatewayPacket } from "../fixtures/packets.js";
import {
  BROKEN_TOOL,
  type GaiaMcpStandIn,
  type StandInTool,
  startGaiaMcp,
  WEB_SEARCH,
  WRITE_FILE,
} from "../support/gaiaMcpStandIn.js";
import { freePort, tempDir } from "../support/processes.js";
import { redisAvailable, redisForSuite } from "../support/redisServer.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

const servers: GaiaMcpStandIn[] = [];
const cores: TestCore[] = [];
afterEach(async () => {
  await Promise.all([...servers.splice(0).map((s) => s.close()), ...cores.splice(0).map((c) => c.dispose())]);
});

async function mcp(name: string, tools: readonly StandInTool[]) {
  const server = await startGaiaMcp(name, tools);
  servers.push(server);
  return server;
}

async function core(env: Record<string, string>, sharedDir?: string) {
  const started = await startTestCore({
    env: { GAIA_TOOL_CONFIDENCE_THRESHOLD: "0", ...env },
    ...(sharedDir ? { sharedDir } : {}),
  });
  cores.push(started);
  return started;
}

/** A packet that asks core to route and needs a tool; execution allowed unless told otherwise. */
const routingPacket = (packetId: string, edit: (p: CognitionPacket) => void = () => undefined) =>
  gatewayPacket((p) => {
    p.header.packet_id = packetId;
    p.content.original_prompt = "Find facts about red foxes";
    p.governance.safety.execution_allowed = true;
    p.tool_routing = { ...p.tool_routing!, routing_requested: true, needs_tool: true };
    edit(p);
  });

const post = (target: TestCore, body: unknown) =>
  request(target.app).post("/process_packet").set("Content-Type", "application/json").send(JSON.stringify(body));

const ajv = new Ajv({ strict: false });
/** The selected params validate against the schema the stand-in's describe_tool gave for that tool. */
function expectValidParams(packet: CognitionPacket, tool: StandInTool) {
  const selected = packet.tool_routing?.selected_tool;
  expect(selected?.tool_name).toBe(tool.name);
  const validate = ajv.compile(tool.params);
  expect({ valid: validate(selected?.params), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
  expect(selected?.selection_confidence).toBeGreaterThanOrEqual(0);
  expect(selected?.selection_confidence).toBeLessThanOrEqual(1);
}

const steps = (packet: CognitionPacket) => packet.reasoning.reflection_log.map((l) => l.step);
const summaryOf = (packet: CognitionPacket, step: string) =>
  packet.reasoning.reflection_log.find((l) => l.step === step)?.summary ?? "";

describe("tool routing on /process_packet", () => {
  it("selects, reviews and executes a tool, and answers with its result in the prompt", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const target = await core({ MCP_ENDPOINT: server.url });
    for (const seed of [1, 2, 3]) {
      const res = await post(
        target,
        routingPacket(`route-exec-${seed}`, (p) => {
          p.header.model.seed = seed;
        }),
      );
      expect(res.status).toBe(200);
      const packet = res.body as CognitionPacket;
      expectValidParams(packet, WEB_SEARCH);
      const routing = packet.tool_routing!;
      expect(routing.needs_tool).toBe(true);
      expect(routing.review_confidence).toBeGreaterThanOrEqual(0);
      expect(routing.review_confidence).toBeLessThanOrEqual(1);
      expect(routing.execution_status).toBe("executed");
      expect(routing.execution_result).toMatchObject({ success: true, error: null, output: { server: "primary" } });
      expect(routing.execution_result?.output).toMatchObject({ params: routing.selected_tool?.params });
      expect(routing.reinjection_count).toBe(1);
      expect(packet.response.tool_calls).toEqual([
        { name: "web_search", args: routing.selected_tool?.params, dry_run: false },
      ]);
      expect(steps(packet)).toEqual([
        "tool_selection",
        "tool_review",
        "tool_gate",
        "tool_execution",
        "prompt_assembly",
      ]);
      expect(packet.content.data_fields.find((f) => f.key === "tool_result")).toMatchObject({
        value: { server: "primary" },
        source: "mcp:web_search",
      });
      expect(packet.reasoning.sketchpad).toEqual([expect.objectContaining({ slot: "tool_result" })]);
    }
    // list_tools once per catalog TTL, describe_tool once, the tool once per packet
    expect(server.calls().map((c) => c.method)).toEqual([
      "list_tools",
      "describe_tool",
      "web_search",
      "web_search",
      "web_search",
    ]);
    // the final answer was generated with the tool result: the same request without routing has a shorter prompt
    const plain = await post(
      target,
      gatewayPacket((p) => {
        p.header.session_id = "no-routing";
        p.header.packet_id = "plain-1";
        p.content.original_prompt = "Find facts about red foxes";
      }),
    );
    const routed = await post(
      target,
      routingPacket("route-exec-4", (p) => {
        p.header.session_id = "routed-fresh";
      }),
    );
    expect(routed.body.metrics.token_usage.prompt_tokens).toBeGreaterThan(
      plain.body.metrics.token_usage.prompt_tokens + 10,
    );
  });

  it("streams the answer as NDJSON after routing, the final packet carrying the routing fields", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const target = await core({ MCP_ENDPOINT: server.url });
    const res = await request(target.app)
      .post("/process_packet")
      .set("Content-Type", "application/json")
      .set("Accept", "application/x-ndjson")
      .send(JSON.stringify(routingPacket("route-ndjson")));
    expect(res.status).toBe(200);
    const lines = res.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; value: unknown });
    const last = lines.at(-1) as { type: string; value: CognitionPacket };
    expect(last.type).toBe("packet");
    expect(last.value.tool_routing?.execution_status).toBe("executed");
    expectValidParams(last.value, WEB_SEARCH);
  });

  it("routes on intent.system_task ToolRouting, and on every packet with GAIA_TOOL_ROUTING=auto", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const byIntent = await core({ MCP_ENDPOINT: server.url });
    const intentRes = await post(
      byIntent,
      routingPacket("route-intent", (p) => {
        p.intent.system_task = "ToolRouting";
        p.tool_routing = { ...p.tool_routing!, routing_requested: false, needs_tool: false };
      }),
    );
    expect(steps(intentRes.body)).toContain("tool_selection");
    await byIntent.dispose();
    const auto = await core({ MCP_ENDPOINT: server.url, GAIA_TOOL_ROUTING: "auto" });
    const autoRes = await post(auto, gatewayPacket({ header: { packet_id: "route-auto" } }));
    expect(steps(autoRes.body)).toContain("tool_selection");
    const off = await core({ MCP_ENDPOINT: server.url });
    const offRes = await post(off, gatewayPacket({ header: { packet_id: "route-off" } }));
    expect(steps(offRes.body)).toEqual(["prompt_assembly"]);
  });

  it("does not execute a guarded tool: it requests approval and the packet awaits it", async () => {
    const server = await mcp("primary", [WRITE_FILE]);
    const target = await core({ MCP_ENDPOINT: server.url });
    const res = await post(target, routingPacket("route-guarded"));
    expect(res.status).toBe(200);
    const packet = res.body as CognitionPacket;
    expectValidParams(packet, WRITE_FILE);
    const routing = packet.tool_routing!;
    expect(routing.execution_status).toBe("awaiting_approval");
    expect(routing.execution_result).toMatchObject({
      success: false,
      output: {
        pending_approval: true,
        action_id: "act-write_file-1",
        challenge: "7f3a",
        proposal: { method: "write_file" },
        tool_name: "write_file",
      },
    });
    expect(packet.response.tool_calls).toEqual([]);
    expect(routing.reinjection_count).toBe(0);
    expect(summaryOf(packet, "tool_approval")).toMatch(/not executed; approval requested \(action act-write_file-1\)/);
    const calls = server.calls();
    expect(calls.map((c) => c.method)).toEqual([
      "list_tools",
      "describe_tool",
      "write_file",
      "request_approval:write_file",
    ]);
    expect(calls[3]?.params).toEqual(routing.selected_tool?.params);
  });

  it("skips execution when governance does not allow it, and says why", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const target = await core({ MCP_ENDPOINT: server.url });
    const res = await post(
      target,
      routingPacket("route-governance", (p) => {
        p.governance.safety.execution_allowed = false;
      }),
    );
    expect(res.status).toBe(200);
    const packet = res.body as CognitionPacket;
    expectValidParams(packet, WEB_SEARCH);
    expect(packet.tool_routing?.execution_status).toBe("skipped");
    expect(packet.tool_routing?.execution_result).toBeNull();
    expect(summaryOf(packet, "tool_gate")).toMatch(/governance\.safety\.execution_allowed is false/);
    expect(packet.response.tool_calls).toEqual([]);
    expect(server.calls().map((c) => c.method)).not.toContain("web_search");
  });

  it("skips execution when the review's confidence is below GAIA_TOOL_CONFIDENCE_THRESHOLD", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const target = await core({ MCP_ENDPOINT: server.url, GAIA_TOOL_CONFIDENCE_THRESHOLD: "1.5" });
    const res = await post(target, routingPacket("route-low-confidence"));
    expect(res.status).toBe(200);
    const packet = res.body as CognitionPacket;
    expectValidParams(packet, WEB_SEARCH);
    expect(packet.tool_routing?.execution_status).toBe("skipped");
    expect(summaryOf(packet, "tool_gate")).toMatch(/below GAIA_TOOL_CONFIDENCE_THRESHOLD 1\.5/);
    expect(steps(packet)).toEqual(["tool_selection", "tool_review", "tool_gate", "prompt_assembly"]);
    expect(server.calls().map((c) => c.method)).not.toContain("web_search");
  });

  it("fails over to MCP_FALLBACK_ENDPOINT for the catalog and the call when the primary is down", async () => {
    const fallback = await mcp("fallback", [WEB_SEARCH]);
    const target = await core({
      MCP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      MCP_FALLBACK_ENDPOINT: fallback.url,
    });
    const res = await post(target, routingPacket("route-failover"));
    expect(res.status).toBe(200);
    const packet = res.body as CognitionPacket;
    expectValidParams(packet, WEB_SEARCH);
    expect(packet.tool_routing?.execution_result).toMatchObject({ success: true, output: { server: "fallback" } });
    expect(fallback.calls().map((c) => c.method)).toEqual(["list_tools", "describe_tool", "web_search"]);
  });

  it("replays a re-sent packet_id with the same routing fields and runs nothing again", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const target = await core({ MCP_ENDPOINT: server.url });
    const first = await post(target, routingPacket("route-replay"));
    expect(first.body.tool_routing.execution_status).toBe("executed");
    const callsBefore = server.calls().length;
    const again = await post(target, routingPacket("route-replay"));
    expect(again.status).toBe(200);
    expect(server.calls().length).toBe(callsBefore);
    expect(again.body.response.candidate).toBe(first.body.response.candidate);
    expect(again.body.tool_routing).toEqual(first.body.tool_routing);
    expect(again.body.response.tool_calls).toEqual(first.body.response.tool_calls);
    expect(again.body.content.data_fields).toEqual(first.body.content.data_fields);
    expect(steps(again.body)).toEqual(steps(first.body));
    expect(summaryOf(again.body, "prompt_assembly")).toMatch(/^replayed=true/);
  });

  it("answers 200 when the tool fails, and the packet says it failed", async () => {
    const patterned = {
      ...WRITE_FILE,
      name: "rename_file",
      params: { type: "object", properties: { to: { type: "string", pattern: "^[a-z]+$" } }, required: ["to"] },
    };
    const server = await mcp("primary", [BROKEN_TOOL, { ...WEB_SEARCH, kind: "undescribed" }, patterned]);
    const target = await core({ MCP_ENDPOINT: server.url });
    const res = await post(target, routingPacket("route-broken"));
    expect(res.status).toBe(200);
    const packet = res.body as CognitionPacket;
    // web_search could not be described and rename_file's schema cannot be enforced, so only disk_usage was offered
    expectValidParams(packet, BROKEN_TOOL);
    expect(summaryOf(packet, "tool_selection")).toContain(
      'chosen from [disk_usage]; not offered: web_search (describe_tool failed), rename_file (params properties.to.pattern: "pattern" cannot be enforced by the grammar)',
    );
    expect(packet.tool_routing?.execution_status).toBe("failed");
    expect(packet.tool_routing?.execution_result).toMatchObject({
      success: false,
      error: "Internal error: disk unavailable",
    });
    expect(summaryOf(packet, "tool_execution")).toMatch(/disk_usage failed .*disk unavailable/);
    expect(packet.content.data_fields.find((f) => f.key === "tool_result")?.value).toEqual({
      error: "Internal error: disk unavailable",
    });
    expect(packet.response.candidate.length).toBeGreaterThan(0);
  });

  it("spends the packet's time budget on routing too: a selection cut by it is skipped, the packet still a 200", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const target = await core({ MCP_ENDPOINT: server.url });
    const res = await post(
      target,
      routingPacket("route-budget", (p) => {
        p.context.constraints.time_budget_ms = 5;
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.tool_routing.execution_status).toBe("skipped");
    expect(summaryOf(res.body, "tool_selection")).toMatch(/^tool selection gave no usable answer: cut \(time_budget\)/);
    expect(res.body.status.observer_trace).toContainEqual(expect.stringMatching(/answer cut: .*time_budget_ms/));
    expect(server.calls().map((c) => c.method)).not.toContain("web_search");
  });

  it("routes no further once reinjection_count has reached max_reinjections", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const target = await core({ MCP_ENDPOINT: server.url });
    const res = await post(
      target,
      routingPacket("route-loop-end", (p) => {
        p.tool_routing = { ...p.tool_routing!, reinjection_count: 2, max_reinjections: 2 };
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.tool_routing).toMatchObject({ execution_status: "skipped", reinjection_count: 2 });
    expect(summaryOf(res.body, "tool_routing")).toBe(
      "reinjection_count 2 reached max_reinjections 2: no further tool call",
    );
    expect(server.calls().map((c) => c.method)).toEqual(["list_tools"]);
  });

  it("replays on the other core of a pair (peer sessions) without running the tool again", async () => {
    const server = await mcp("primary", [WEB_SEARCH]);
    const primaryDir = tempDir("gaia-routing-primary-");
    const primary = await core({ MCP_ENDPOINT: server.url }, primaryDir);
    const candidate = await core({ MCP_ENDPOINT: server.url, GAIA_PEER_SHARED_DIR: primaryDir });
    const first = await post(primary, routingPacket("route-pair"));
    expect(first.body.tool_routing.execution_status).toBe("executed");
    const callsBefore = server.calls().length;
    const again = await post(candidate, routingPacket("route-pair"));
    expect(server.calls().length).toBe(callsBefore);
    expect(again.body.tool_routing).toEqual(first.body.tool_routing);
    expect(again.body.response.tool_calls).toEqual(first.body.response.tool_calls);
  });

  (redisAvailable("tool routing replay on Redis") ? it : it.skip)(
    "replays on another replica sharing Redis without running the tool again",
    async () => {
      const redis = await redisForSuite();
      try {
        const server = await mcp("primary", [WEB_SEARCH]);
        const env = {
          MCP_ENDPOINT: server.url,
          GAIA_SESSION_STORE: redis.url,
          GAIA_REDIS_PREFIX: `routing-${process.pid}-${Date.now()}:`,
        };
        const [a, b] = [await core(env), await core(env)];
        const first = await post(a!, routingPacket("route-redis"));
        expect(first.body.tool_routing.execution_status).toBe("executed");
        const callsBefore = server.calls().length;
        const again = await post(b!, routingPacket("route-redis"));
        expect(server.calls().length).toBe(callsBefore);
        expect(again.body.tool_routing).toEqual(first.body.tool_routing);
        expect(again.body.content.data_fields).toEqual(first.body.content.data_fields);
        expect(summaryOf(again.body, "prompt_assembly")).toMatch(/^replayed=true/);
      } finally {
        await Promise.all(cores.splice(0).map((c) => c.dispose()));
        await redis.stop();
      }
    },
  );
});
