import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { createApp } from "../../services/web/app.js";
import { buildUserPacket } from "../../services/web/buildPacket.js";
import { type ResilienceEvent, ResilientClient } from "../../services/web/http/index.js";
import { createLogger } from "../../shared/logging/logger.js";
import { freePort } from "../support/processes.js";
import { hang, json } from "../support/stubServer.js";
import { type StandInCore, startStandInCore } from "./standInCore.js";

const logger = createLogger({ service: "gaia-web-test", level: "silent" });
const cores: StandInCore[] = [];
const servers: http.Server[] = [];

async function core(role: "primary" | "candidate"): Promise<StandInCore> {
  const c = await startStandInCore(role);
  cores.push(c);
  return c;
}

function gateway(
  primaryUrl: string,
  fallbackUrl?: string,
  extra: Partial<ConstructorParameters<typeof ResilientClient>[0]> = {},
) {
  const events: ResilienceEvent[] = [];
  const client = new ResilientClient({
    primaryUrl,
    fallbackUrl,
    baseDelayMs: 5,
    timeoutMs: 2000,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { app: createApp({ client, logger }), events, client };
}

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

describe("gateway: POST /process_user_input", () => {
  it("builds a packet from ?user_input=, posts it to core, answers {response, packet_id, served_by}", async () => {
    const primary = await core("primary");
    const res = await request(gateway(primary.url).app).post("/process_user_input").query({ user_input: "Hello GAIA" });
    expect(res.status).toBe(200);
    const [sent] = primary.packets();
    expect(sent!.content.original_prompt).toBe("Hello GAIA");
    expect(sent!.header.session_id).toBe("web_ui_session");
    expect(primary.calls[0]!.path).toBe("/process_packet");
    expect(res.body).toEqual({
      response: "[primary] echo: Hello GAIA",
      packet_id: sent!.header.packet_id,
      served_by: "primary",
    });
  });

  it("accepts a JSON body with a session id", async () => {
    const primary = await core("primary");
    const res = await request(gateway(primary.url).app)
      .post("/process_user_input")
      .send({ user_input: "hi", session_id: "s-9" });
    expect(res.status).toBe(200);
    expect(primary.packets()[0]!.header.session_id).toBe("s-9");
  });

  it("answers 422 problem+json without user_input", async () => {
    const primary = await core("primary");
    const res = await request(gateway(primary.url).app).post("/process_user_input");
    expect(res.status).toBe(422);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body.detail).toContain("user_input");
    expect(primary.calls).toHaveLength(0);
  });

  it("answers 400 problem+json for a body that is not JSON", async () => {
    const primary = await core("primary");
    const res = await request(gateway(primary.url).app)
      .post("/process_user_input")
      .set("content-type", "application/json")
      .send("{oops");
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(primary.calls).toHaveLength(0);
  });

  it("fails over to the candidate with the same packet_id when the primary is down", async () => {
    const candidate = await core("candidate");
    const { app, events } = gateway(`http://127.0.0.1:${await freePort()}`, candidate.url);
    const res = await request(app).post("/process_user_input").query({ user_input: "still there?" });
    expect(res.status).toBe(200);
    expect(res.body.served_by).toBe("candidate");
    expect(res.body.packet_id).toBe(candidate.packets()[0]!.header.packet_id);
    const failover = events.find((e) => e.type === "failover");
    expect(failover).toMatchObject({ reason: "exhausted", context: { packet_id: res.body.packet_id } });
  });

  it("passes core's 4xx/500 on with core's status and problem body, without retry or failover", async () => {
    const primary = await core("primary");
    const candidate = await core("candidate");
    const problem = { type: "about:blank", title: "Unprocessable Content", status: 422, detail: "prompt too long" };
    primary.handler = json(422, problem, { "content-type": "application/problem+json", "X-Gaia-Role": "primary" });
    const { app } = gateway(primary.url, candidate.url);
    const res = await request(app).post("/process_user_input").query({ user_input: "x" });
    expect(res.status).toBe(422);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body).toEqual(problem);

    primary.handler = json(500, { title: "boom" }, { "content-type": "application/problem+json" });
    const res500 = await request(app).post("/process_user_input").query({ user_input: "x" });
    expect(res500.status).toBe(500);
    expect(res500.body).toEqual({ title: "boom" });
    expect(primary.calls).toHaveLength(2);
    expect(candidate.calls).toHaveLength(0);
  });

  it("maps a core timeout to 504 'GAIA Core did not respond in time.' with no failover", async () => {
    const primary = await core("primary");
    const candidate = await core("candidate");
    primary.handler = hang;
    const res = await request(gateway(primary.url, candidate.url, { timeoutMs: 300 }).app)
      .post("/process_user_input")
      .query({ user_input: "x" });
    expect(res.status).toBe(504);
    expect(res.body.detail).toBe("GAIA Core did not respond in time.");
    expect(candidate.calls).toHaveLength(0);
  });

  it("answers 503 problem+json (not 500) when every core is down", async () => {
    const primaryUrl = `http://127.0.0.1:${await freePort()}`;
    const res = await request(gateway(primaryUrl, `http://127.0.0.1:${await freePort()}`).app)
      .post("/process_user_input")
      .query({ user_input: "x" });
    expect(res.status).toBe(503);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body.detail).toContain(primaryUrl);
    expect(res.headers["retry-after"]).toBeDefined();
  });

  it("answers 502 when core's 200 is not a completed packet", async () => {
    const primary = await core("primary");
    primary.handler = json(200, { nothing: true });
    const res = await request(gateway(primary.url).app).post("/process_user_input").query({ user_input: "x" });
    expect(res.status).toBe(502);
  });
});

describe("gateway: POST /process_packet pass-through", () => {
  it("sends the body to core byte for byte and relays the answer with core's headers", async () => {
    const primary = await core("primary");
    const body = JSON.stringify(buildUserPacket("pass me through"));
    const res = await request(gateway(primary.url).app)
      .post("/process_packet")
      .set("content-type", "application/json")
      .send(body);
    expect(res.status).toBe(200);
    expect(primary.calls[0]!.body).toBe(body);
    expect(res.headers["x-gaia-role"]).toBe("primary");
    expect(res.headers["x-gaia-build"]).toBe("test-build");
    expect(res.headers["x-gaia-endpoint"]).toBe("primary");
    expect(res.body.response.candidate).toBe("[primary] echo: pass me through");
  });

  it("forwards the client's content type, so core can answer 415 itself", async () => {
    const primary = await core("primary");
    primary.handler = (req, res) => {
      res.writeHead(415, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ status: 415, detail: `got ${req.headers["content-type"]}` }));
    };
    const res = await request(gateway(primary.url).app)
      .post("/process_packet")
      .set("content-type", "text/plain")
      .send("hello");
    expect(res.status).toBe(415);
    expect(res.body.detail).toBe("got text/plain");
  });

  it("streams NDJSON through unbuffered when the client asks for it", async () => {
    const primary = await core("primary");
    let finish: () => void = () => undefined;
    primary.handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson", "X-Gaia-Role": "primary" });
      res.write('{"type":"token","value":"first"}\n');
      finish = () => res.end('{"type":"packet","value":{}}\n');
    };
    const server = http.createServer(gateway(primary.url).app);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/process_packet`;
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/x-ndjson" },
      body: JSON.stringify(buildUserPacket("stream")),
    });
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const reader = response.body!.getReader();
    // the first line arrives while core is still "generating"
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('{"type":"token","value":"first"}\n');
    expect(primary.calls[0]!.headers.accept).toBe("application/x-ndjson");
    finish();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('{"type":"packet","value":{}}\n');
  });
});

describe("gateway: GET /health and /", () => {
  it("reports healthy with each core endpoint's breaker and the maintenance flag", async () => {
    const primary = await core("primary");
    const candidate = await core("candidate");
    const res = await request(gateway(primary.url, candidate.url).app).get("/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "healthy",
      service: "gaia-web",
      core: { primary: { url: primary.url, breaker: "closed" }, fallback: { url: candidate.url, breaker: "closed" } },
      maintenance: false,
    });
  });

  it("shows the primary's breaker open once it has failed enough", async () => {
    const candidate = await core("candidate");
    const { app } = gateway(`http://127.0.0.1:${await freePort()}`, candidate.url, { breakerThreshold: 3 });
    await request(app).post("/process_user_input").query({ user_input: "x" });
    const res = await request(app).get("/health");
    expect(res.body.core.primary).toMatchObject({ breaker: "open", consecutive_failures: 3 });
    expect(res.body.core.primary.last_failure.reason).toContain("ECONNREFUSED");
  });

  it("lists its endpoints at /", async () => {
    const res = await request(gateway("http://127.0.0.1:1").app).get("/");
    expect(res.body.service).toBe("gaia-web");
    expect(Object.keys(res.body.endpoints)).toEqual(
      expect.arrayContaining(["/health", "/process_user_input", "/process_packet"]),
    );
  });

  it("answers unknown routes with 404 problem+json", async () => {
    const res = await request(gateway("http://127.0.0.1:1").app).get("/nope");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
  });
});
