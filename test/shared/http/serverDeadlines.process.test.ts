// Slow clients against the compiled services (defect 7): a trickled body is cut at GAIA_REQUEST_TIMEOUT_MS with or
// without a key, a client without a key is answered and closed before it sends its body, and a streamed answer that
// lasts longer than the request deadline is not cut (the deadline covers receiving the request only).
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type ServiceProcess, spawnCore, spawnService } from "../../support/processes.js";
import { type StubServer, startStub } from "../../support/stubServer.js";
import { trickleBody } from "../../support/trickleClient.js";

const DEADLINES = {
  GAIA_REQUEST_TIMEOUT_MS: "600",
  GAIA_HEADERS_TIMEOUT_MS: "400",
  GAIA_KEEP_ALIVE_TIMEOUT_MS: "300",
};

/** A stand-in core whose SSE answer takes ~4 request deadlines; /health is ready. */
function slowStream(_req: http.IncomingMessage, res: http.ServerResponse): void {
  if (_req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ready"}');
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  let sent = 0;
  const timer = setInterval(() => {
    res.write(`data: {"n":${sent}}\n\n`);
    if (++sent === 6) {
      clearInterval(timer);
      res.end("data: [DONE]\n\n");
    }
  }, 400);
}

let core: ServiceProcess;
let web: ServiceProcess;
let upstream: StubServer;
beforeAll(async () => {
  [core, upstream] = await Promise.all([
    spawnCore({ env: { ...DEADLINES, GAIA_API_KEYS: "core-key", GAIA_EMBED_MODEL_DIR: "none" } }),
    startStub(slowStream),
  ]);
  web = await spawnService({
    entry: "dist/services/web/main.js",
    env: { ...DEADLINES, CORE_ENDPOINT: upstream.url, GAIA_API_KEYS: "gw-key", GAIA_HEALTH_INTERVAL_MS: "0" },
  });
});
afterAll(async () => {
  await Promise.all([core?.kill(), web?.kill(), upstream?.close()]);
});

describe.each([
  ["gaia-core", () => core, "core-key"],
  ["gaia-web", () => web, "gw-key"],
])("%s under slow clients", (_name, service, key) => {
  it("cuts a trickled body with a valid key at the request deadline (408, socket closed)", async () => {
    const outcome = await trickleBody(service().url, "/process_packet", {
      headers: { Authorization: `Bearer ${key}` },
      announced: 100_000,
      everyMs: 50,
    });
    expect(outcome.response).toMatch(/^HTTP\/1\.1 408/);
    expect(outcome.bytesSent).toBeLessThan(outcome.announced);
  });

  it("answers a client without a key 401 and closes without waiting for its body", async () => {
    const outcome = await trickleBody(service().url, "/process_packet", { announced: 100_000, everyMs: 50 });
    expect(outcome.response).toMatch(/^HTTP\/1\.1 401/);
    expect(outcome.response).toMatch(/connection: close/i);
    expect(outcome.bytesSent).toBeLessThan(outcome.announced);
  });

  it("closes a connection that sends no headers at the headers deadline", async () => {
    const outcome = await trickleBody(service().url, "/process_packet", {
      headers: { "X-Slow": "x" },
      announced: 10,
      everyMs: 50,
      headersOnlyTrickle: true,
    });
    expect(outcome.response).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe("gaia-web streaming", () => {
  it("relays an SSE answer that lasts longer than the request deadline to its end", async () => {
    const res = await fetch(`${web.url}/v1/chat/completions`, {
      method: "POST",
      headers: { Authorization: "Bearer gw-key", "Content-Type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('data: {"n":5}');
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
  });
});
