import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { CognitionPacketSchema, computeHashes } from "../../shared/packet/index.js";
import {
  gatewayPacket as fixturePacket,
  minimalPacket,
  v05Packet,
  withoutPath,
  withPath,
} from "../fixtures/packets.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

/** The original gateway's packet for a given session, packet id and user text. */
const gatewayPacket = (o: { sessionId?: string; packetId?: string; prompt?: string } = {}) =>
  fixturePacket((p) => {
    if (o.sessionId) p.header.session_id = o.sessionId;
    if (o.packetId) p.header.packet_id = o.packetId;
    if (o.prompt !== undefined) {
      p.content.original_prompt = o.prompt;
      p.content.data_fields = [];
    }
  });

let core: TestCore;
beforeAll(async () => {
  core = await startTestCore();
  expect(core.state.status).toBe("ready");
});
afterAll(async () => {
  await core.dispose();
});

const post = (body: unknown) =>
  request(core.app).post("/process_packet").set("Content-Type", "application/json").send(JSON.stringify(body));

describe("POST /process_packet (real app, real bundled GGUF)", () => {
  it("answers the original gateway's exact packet with a completed packet that round-trips", async () => {
    const packet = gatewayPacket();
    const res = await post(packet);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.headers["x-gaia-role"]).toBe("primary");
    const completed = res.body;
    expect(typeof completed.response.candidate).toBe("string");
    expect(completed.response.confidence).toBeGreaterThan(0);
    expect(completed.status).toMatchObject({ finalized: true, state: "completed" });
    const usage = completed.metrics.token_usage;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(completed.metrics.latency_ms).toBeGreaterThanOrEqual(0);
    const reflection = completed.reasoning.reflection_log.at(-1);
    expect(reflection.step).toBe("prompt_assembly");
    expect(reflection.summary).toMatch(/history_mode=full/);
    expect(reflection.summary).toMatch(/packet_version="0.3"/);
    expect(completed.governance.signatures).toMatchObject(computeHashes(CognitionPacketSchema.parse(completed)));
    expect(CognitionPacketSchema.safeParse(completed).success).toBe(true);
    // untouched sections come back as sent
    expect(completed.header).toEqual(packet.header);
    expect(completed.content).toEqual(packet.content);
  });

  it("expands the minimal packet's defaults and answers it", async () => {
    const res = await post(minimalPacket());
    expect(res.status).toBe(200);
    expect(res.body.header.lineage).toEqual([]);
    expect(res.body.tool_routing).toBeNull();
    expect(res.body.status.state).toBe("completed");
  });

  it("returns a v0.5 packet from GAIA's newer gateway intact, unknown keys included", async () => {
    const packet = v05Packet();
    const res = await post(packet);
    expect(res.status).toBe(200);
    expect(res.headers["x-gaia-packet-version"]).toBe("v0.5");
    for (const key of Object.keys(packet)) expect(res.body).toHaveProperty(key);
    expect(res.body.content).toMatchObject(packet.content as object);
    expect(res.body.governance.security_scan).toEqual((packet.governance as { security_scan: unknown }).security_scan);
  });

  it("streams NDJSON: tokens, then flush, then the packet last", async () => {
    const res = await request(core.app)
      .post("/process_packet")
      .set("Content-Type", "application/json")
      .set("Accept", "application/x-ndjson")
      .send(JSON.stringify(gatewayPacket({ packetId: "stream-1" })));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/application\/x-ndjson/);
    const events = res.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; value?: unknown });
    const types = events.map((e) => e.type);
    const flushAt = types.indexOf("flush");
    expect(flushAt).toBeGreaterThan(0);
    expect(types.slice(0, flushAt).every((t) => t === "token")).toBe(true);
    expect(types.slice(flushAt + 1)).toEqual(["packet"]);
    const packet = events.at(-1)!.value as { response: { candidate: string }; status: { state: string } };
    expect(packet.status.state).toBe("completed");
    const streamed = events
      .filter((e) => e.type === "token")
      .map((e) => e.value)
      .join("");
    expect(streamed.trim()).toBe(packet.response.candidate);
  });

  it("does not append a turn twice when the same packet_id is re-sent, and replays the answer", async () => {
    const packet = gatewayPacket({ sessionId: "idem-session", packetId: "idem-1" });
    const first = await post(packet);
    const second = await post(packet);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.response.candidate).toBe(first.body.response.candidate);
    expect(second.body.reasoning.reflection_log.at(-1).summary).toMatch(/replayed=true/);
    const turns = await core.store.load("idem-session");
    expect(turns.filter((t) => t.packetId === "idem-1")).toHaveLength(1);
  });

  it("remembers the session: the second turn carries the first one as history", async () => {
    await post(gatewayPacket({ sessionId: "two-turns", packetId: "t1", prompt: "Hello there" }));
    const res = await post(gatewayPacket({ sessionId: "two-turns", packetId: "t2", prompt: "And again" }));
    expect(res.status).toBe(200);
    expect(res.body.reasoning.reflection_log.at(-1).summary).toMatch(/turns_verbatim=1/);
    expect((await core.store.load("two-turns")).map((t) => t.packetId)).toEqual(["t1", "t2"]);
  });
});

describe("bad input never gets a 5xx", () => {
  it("400 for invalid JSON, as problem+json", async () => {
    const res = await request(core.app)
      .post("/process_packet")
      .set("Content-Type", "application/json")
      .send('{"version": ');
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ status: 400, title: "Invalid JSON" });
  });

  it("400 for an empty JSON body", async () => {
    const res = await request(core.app).post("/process_packet").set("Content-Type", "application/json");
    expect(res.status).toBe(400);
  });

  it("415 saying to send application/json when curl -d forgets the header", async () => {
    const res = await request(core.app).post("/process_packet").type("form").send("version=0.3");
    expect(res.status).toBe(415);
    expect(JSON.parse(res.text).detail).toMatch(/application\/json/);
  });

  it("422 listing every problem with its path (the original answered 500 KeyError 'version')", async () => {
    const packet = withPath(withoutPath(gatewayPacket(), "version"), "header.origin", "USER");
    const res = await post(packet);
    expect(res.status).toBe(422);
    const problem = JSON.parse(res.text) as { errors: { path: string; message: string }[] };
    const paths = problem.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["version", "header.origin"]));
    expect(problem.errors.find((e) => e.path === "header.origin")!.message).toMatch(/user\|system\|agent\|sidecar/);
  });

  it("422 for JSON that is not an object", async () => {
    for (const body of ["[]", '"hello"', "42", "null"]) {
      const res = await request(core.app).post("/process_packet").set("Content-Type", "application/json").send(body);
      expect(res.status).toBe(422);
    }
  });

  it("413 for a body over the limit", async () => {
    const packet = gatewayPacket({ prompt: "x".repeat(2 * 1024 * 1024) });
    const res = await post(packet);
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
  });

  it("422 when the user's text alone cannot fit the model's context", async () => {
    const words = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(" ");
    const res = await post(gatewayPacket({ prompt: words, packetId: "too-long" }));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text)).toMatchObject({ title: "Prompt Too Long" });
  });

  it("404 problem for unknown routes", async () => {
    const res = await request(core.app).get("/nope");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
  });
});

describe("service endpoints", () => {
  it("GET /health reports ready, role, model, history mode and why", async () => {
    const res = await request(core.app).get("/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ready", service: "gaia-core", role: "primary", history_mode: "full" });
    expect(res.body.history_mode_reason).toMatch(/none/);
    expect(res.body.model.loaded).toBe(true);
    expect(typeof res.body.build_id).toBe("string");
  });

  it("GET /status has queue depth and session count", async () => {
    const res = await request(core.app).get("/status");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("operational");
    expect(res.body.queue).toMatchObject({ active: 0, waiting: 0 });
    expect(res.body.sessions.count).toBeGreaterThan(0);
  });

  it("GET /schema serves the packet's JSON Schema", async () => {
    const res = await request(core.app).get("/schema");
    expect(res.status).toBe(200);
    const schema = JSON.parse(res.text) as { required?: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(["version", "header", "content"]));
  });

  it("GET / lists the endpoints", async () => {
    const res = await request(core.app).get("/");
    expect(res.body.endpoints).toHaveProperty("/process_packet");
  });

  it("GET /metrics exposes Prometheus counters", async () => {
    const res = await request(core.app).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/gaia_core_http_requests_total/);
    expect(res.text).toMatch(/gaia_core_tokens_total\{direction="completion"\}/);
  });
});
