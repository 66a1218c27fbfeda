// The gateway against hostile and careless clients (SPEC §16), with real HTTP stand-ins for the cores.
import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { createApp } from "../../services/web/app.js";
import { HealthMonitor } from "../../services/web/health/HealthMonitor.js";
import { ResilientClient } from "../../services/web/http/index.js";
import { withCoreApiKey } from "../../services/web/withCoreApiKey.js";
import { ApiKeys } from "../../shared/auth/ApiKeys.js";
import { createLogger } from "../../shared/logging/logger.js";
import { type Listening, listen } from "../support/listen.js";
import { freePort } from "../support/processes.js";
import { rawRequest } from "../support/rawRequest.js";
import { json, type StubServer, startStub } from "../support/stubServer.js";

const logger = createLogger({ service: "gaia-web-test", level: "silent" });
const closers: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
});

async function stub(handler: Parameters<typeof startStub>[0]): Promise<StubServer> {
  const s = await startStub(handler);
  closers.push(s);
  return s;
}

async function gateway(primaryUrl: string, options: { fallbackUrl?: string; monitor?: HealthMonitor } = {}) {
  const client = new ResilientClient({
    primaryUrl,
    fallbackUrl: options.fallbackUrl,
    baseDelayMs: 5,
    timeoutMs: 2000,
    maxAttempts: 1,
    health: options.monitor ?? null,
  });
  const app = createApp({ client: withCoreApiKey(client, "core-key"), logger, apiKeys: new ApiKeys(["gw-key"]) });
  const listening: Listening = await listen(app);
  closers.push(listening);
  return { app, url: listening.url };
}

const KEY = { Authorization: "Bearer gw-key" };

describe("gateway: the /v1 pass-through forwards only core's /v1 routes (defect 6)", () => {
  it.each([
    "/v1/%2e%2e/metrics",
    "/v1/../status",
    "/v1/%2E%2E/schema",
    "/v1/.%2e/status",
    "/v1/models/../../metrics",
    "/v1/%2fmetrics",
    "/v1//models",
    "/v1/models%2f..%2f..%2fstatus",
    "/v1/unknown",
  ])("%s is a 404 at the gateway; core is never asked", async (path) => {
    const core = await stub(json(200, { object: "list", data: [] }));
    const { url } = await gateway(core.url);
    const res = await rawRequest(url, path, { headers: KEY });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).error).toMatchObject({ type: "not_found_error", code: "unknown_url" });
    expect(core.calls).toEqual([]);
  });

  it("forwards a passed route on its canonical path, query kept, and refuses other methods with 405", async () => {
    const core = await stub(json(200, { object: "list", data: [] }));
    const { url } = await gateway(core.url);
    expect((await rawRequest(url, "/V1/Models/?x=1", { headers: KEY })).status).toBe(200);
    expect(core.calls.map((c) => c.path)).toEqual(["/v1/models?x=1"]);
    const wrong = await rawRequest(url, "/v1/models", { method: "POST", headers: KEY, body: "{}" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("GET");
    expect(core.calls).toHaveLength(1);
  });
});

describe("gateway: bodies that cannot be decoded are a 4xx (defect 4)", () => {
  it.each([
    ["gzip", "/process_packet"],
    ["br", "/process_packet"],
    ["gzip", "/process_user_input"],
    ["deflate", "/v1/chat/completions"],
  ])("Content-Encoding %s with a body that is not: 400 on %s, core never asked", async (encoding, path) => {
    const core = await stub(json(200, {}));
    const { url } = await gateway(core.url);
    const res = await rawRequest(url, path, {
      method: "POST",
      headers: { ...KEY, "Content-Type": "application/json", "Content-Encoding": encoding },
      body: '{"user_input":"hi"}',
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Content-Encoding/);
    expect(core.calls).toEqual([]);
  });

  it("an unknown Content-Encoding is a 415; a real gzip body is passed on", async () => {
    const core = await stub(json(200, { ok: true }));
    const { url } = await gateway(core.url);
    const headers = { ...KEY, "Content-Type": "application/json" };
    const unknown = await rawRequest(url, "/process_packet", {
      method: "POST",
      headers: { ...headers, "Content-Encoding": "zstd-x" },
      body: "{}",
    });
    expect(unknown.status).toBe(415);
    const real = await rawRequest(url, "/process_packet", {
      method: "POST",
      headers: { ...headers, "Content-Encoding": "gzip" },
      body: zlib.gzipSync('{"header":{}}'),
    });
    expect(real.status).toBe(200);
    expect(core.calls.map((c) => c.body)).toEqual(['{"header":{}}']);
  });
});

describe("gateway: a 401 on /V1/… (any case) is OpenAI's error shape (defect 9)", () => {
  it.each(["/V1/models", "/v1/Models", "/V1/chat/completions"])("%s", async (path) => {
    const core = await stub(json(200, {}));
    const { app } = await gateway(core.url);
    const res = await request(app).get(path);
    expect(res.status).toBe(401);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.body.error).toMatchObject({ code: "missing_api_key" });
    expect(res.headers.connection).toBe("close");
  });
});

describe("gateway: readiness and errors as a new user meets them (defect 10)", () => {
  it("/health is 503 while every core is loading, 200 once one serves; /health/live is 200 throughout", async () => {
    let ready = false;
    const health = (_req: unknown, res: import("node:http").ServerResponse) => {
      res.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: ready ? "ready" : "loading" }));
    };
    const primary = await stub(health);
    const candidate = await stub(health);
    const monitor = new HealthMonitor({
      endpoints: { primary: primary.url, fallback: candidate.url },
      intervalMs: 20,
      timeoutMs: 500,
      failuresToDown: 1,
      successesToUp: 1,
    });
    closers.push({ close: () => monitor.stop() });
    const { app } = await gateway(primary.url, { fallbackUrl: candidate.url, monitor });
    // before any probe, and while both cores answer 503 (loading): not ready
    const before = await request(app).get("/health");
    expect(before.status).toBe(503);
    expect(before.body.status).toBe("unavailable");
    monitor.start();
    await waitFor(() => primary.calls.length >= 2 && candidate.calls.length >= 2);
    expect((await request(app).get("/health")).status).toBe(503);
    expect((await request(app).get("/health/live")).status).toBe(200);
    ready = true;
    await waitFor(async () => (await request(app).get("/health")).status === 200);
    // either core's probe may see it ready first: wait for the primary's too before reading its state
    await waitFor(async () => (await request(app).get("/health")).body.core?.primary?.health?.ready === true);
    const after = await request(app).get("/health");
    expect(after.body).toMatchObject({ status: "healthy", core: { primary: { health: { ready: true } } } });
  });

  it("the error for GET /v1/models names GET, not POST", async () => {
    const { app } = await gateway(`http://127.0.0.1:${await freePort()}`);
    const res = await request(app).get("/v1/models").set(KEY);
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).toContain("GET http://127.0.0.1");
    expect(JSON.stringify(res.body)).not.toContain("POST");
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
