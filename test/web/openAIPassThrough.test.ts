// The gateway's /v1 pass-through against real HTTP stand-ins for the cores (the real cores are in
// test/failover/openaiGateway.process.test.ts).
import type http from "node:http";
import { afterEach, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { createApp } from "../../services/web/app.js";
import { ResilientClient } from "../../services/web/http/index.js";
import { withCoreApiKey } from "../../services/web/withCoreApiKey.js";
import { ApiKeys } from "../../shared/auth/ApiKeys.js";
import { createLogger } from "../../shared/logging/logger.js";
import { type Listening, listen } from "../support/listen.js";
import { freePort } from "../support/processes.js";
import { json, type StubServer, startStub } from "../support/stubServer.js";

const logger = createLogger({ service: "gaia-web-test", level: "silent" });
const stubs: StubServer[] = [];
const listening: Listening[] = [];

afterEach(async () => {
  await Promise.all([...stubs.splice(0).map((s) => s.close()), ...listening.splice(0).map((l) => l.close())]);
});

async function stub(handler: Parameters<typeof startStub>[0]): Promise<StubServer> {
  const s = await startStub(handler);
  stubs.push(s);
  return s;
}

function gateway(primaryUrl: string, fallbackUrl?: string, keys?: ApiKeys, metricsPublic = false) {
  const client = new ResilientClient({ primaryUrl, fallbackUrl, baseDelayMs: 5, timeoutMs: 2000, maxAttempts: 2 });
  return createApp({ client: withCoreApiKey(client, "core-key"), logger, apiKeys: keys ?? null, metricsPublic });
}

const models = { object: "list", data: [{ id: "gaia-lite-tiny", object: "model" }] };

describe("gateway: /v1 pass-through", () => {
  it("passes GET and POST through with the gateway's own key, never the client's", async () => {
    const core = await stub(json(200, models, { "x-gaia-role": "primary" }));
    const app = gateway(core.url, undefined, new ApiKeys(["client-key"]));
    const listed = await request(app).get("/v1/models").set("Authorization", "Bearer client-key");
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual(models);
    const posted = await request(app)
      .post("/v1/chat/completions")
      .set("X-Api-Key", "client-key")
      .set("Content-Type", "application/json")
      .send('{"model":"m","messages":[]}');
    expect(posted.status).toBe(200);
    expect(core.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ["GET", "/v1/models", ""],
      ["POST", "/v1/chat/completions", '{"model":"m","messages":[]}'],
    ]);
    for (const call of core.calls) {
      expect(call.headers.authorization).toBe("Bearer core-key");
      expect(call.headers["x-api-key"]).toBeUndefined();
    }
  });

  it("passes POST /v1/completions (text completions) through as it passes chat", async () => {
    const core = await stub(json(200, { object: "text_completion", choices: [] }));
    const app = gateway(core.url, undefined, new ApiKeys(["client-key"]));
    const body = '{"model":"m","prompt":"def f(","suffix":")"}';
    const posted = await request(app)
      .post("/v1/completions")
      .set("X-Api-Key", "client-key")
      .set("Content-Type", "application/json")
      .send(body);
    expect(posted.status).toBe(200);
    expect(posted.body.object).toBe("text_completion");
    expect(core.calls.map((c) => [c.method, c.path, c.body])).toEqual([["POST", "/v1/completions", body]]);
    expect((await request(app).get("/v1/completions").set("X-Api-Key", "client-key")).status).toBe(405);
  });

  it("refuses clients without a valid key in OpenAI's shape on /v1 and as problem+json elsewhere; /health is open", async () => {
    const core = await stub(json(200, models));
    const app = gateway(core.url, undefined, new ApiKeys(["client-key"]));
    const v1 = await request(app).get("/v1/models").set("Authorization", "Bearer core-key");
    expect(v1.status).toBe(401);
    expect(v1.body.error.code).toBe("invalid_api_key");
    const packet = await request(app).post("/process_user_input").query({ user_input: "hi" });
    expect(packet.status).toBe(401);
    expect(packet.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect((await request(app).get("/health")).status).toBe(200);
    expect(core.calls).toHaveLength(0);
  });

  it("serves /metrics only with a key, unless GAIA_METRICS_PUBLIC is on", async () => {
    const core = await stub(json(200, models));
    const locked = gateway(core.url, undefined, new ApiKeys(["client-key"]));
    expect((await request(locked).get("/metrics")).status).toBe(401);
    const withKey = await request(locked).get("/metrics").set("X-Api-Key", "client-key");
    expect(withKey.status).toBe(200);
    expect(withKey.text).toContain("gaia_web_core_up");
    const open = gateway(core.url, undefined, new ApiKeys(["client-key"]), true);
    expect((await request(open).get("/metrics")).status).toBe(200);
    // only /metrics is opened
    expect((await request(open).get("/v1/models")).status).toBe(401);
  });

  it("relays an SSE stream as it arrives: the first event reaches the client before core has finished", async () => {
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const core = await stub((_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "x-gaia-role": "primary",
      });
      res.write('data: {"n":1}\n\n');
      void finished.then(() => res.end('data: {"n":2}\n\ndata: [DONE]\n\n'));
    });
    const server = await listen(gateway(core.url));
    listening.push(server);
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", body: "{}" });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('data: {"n":1}\n\n');
    finish();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('data: {"n":2}\n\ndata: [DONE]\n\n');
  });

  it("fails over to the candidate before the first byte, and answers an OpenAI-shaped 503 when no core can", async () => {
    const primary = await stub(json(503, { error: { message: "full" } }, { "retry-after": "0" }));
    const candidate = await stub(json(200, models, { "x-gaia-role": "candidate" }));
    const served = await request(gateway(primary.url, candidate.url)).get("/v1/models");
    expect(served.status).toBe(200);
    expect(served.headers["x-gaia-role"]).toBe("candidate");

    const down = await request(gateway(`http://127.0.0.1:${await freePort()}`)).get("/v1/models");
    expect(down.status).toBe(503);
    expect(down.headers["retry-after"]).toBeDefined();
    expect(Object.keys(down.body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(down.body.error.type).toBe("server_error");
  });

  it("forwards llama-server's ops endpoints with the gateway's key, failing over like /v1", async () => {
    const primary = await stub(json(503, { error: { message: "loading" } }, { "retry-after": "0" }));
    const candidate = await stub(json(200, { tokens: [1, 2] }, { "x-gaia-role": "candidate" }));
    const app = gateway(primary.url, candidate.url, new ApiKeys(["client-key"]));
    const tokenized = await request(app)
      .post("/tokenize")
      .set("X-Api-Key", "client-key")
      .set("Content-Type", "application/json")
      .send('{"content":"hi"}');
    expect(tokenized.status).toBe(200);
    expect(tokenized.body).toEqual({ tokens: [1, 2] });
    expect(tokenized.headers["x-gaia-role"]).toBe("candidate");
    for (const path of ["/props", "/slots"])
      expect((await request(app).get(path).set("X-Api-Key", "client-key")).status).toBe(200);
    for (const path of ["/detokenize", "/apply-template"])
      expect((await request(app).post(path).set("X-Api-Key", "client-key").send("{}")).status).toBe(200);
    expect(candidate.calls.map((c) => [c.method, c.path])).toEqual([
      ["POST", "/tokenize"],
      ["GET", "/props"],
      ["GET", "/slots"],
      ["POST", "/detokenize"],
      ["POST", "/apply-template"],
    ]);
    expect(candidate.calls[0]?.body).toBe('{"content":"hi"}');
    for (const call of candidate.calls) expect(call.headers.authorization).toBe("Bearer core-key");
    expect((await request(app).get("/slots")).status).toBe(401);
    const wrongMethod = await request(app).post("/props").set("X-Api-Key", "client-key").send("{}");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe("GET");
    expect((await request(app).get("/slots/%2e%2e/metrics").set("X-Api-Key", "client-key")).status).toBe(404);
    expect(candidate.calls).toHaveLength(5); // neither reached a core
  });
});
