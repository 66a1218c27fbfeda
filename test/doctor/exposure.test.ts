// The doctor's exposure checks against real HTTP servers: deadlines off in the environment or reported by a service,
// and a service that answers without a key on a non-loopback address.
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { checkExposure } from "../../doctor/checks/exposure.js";
import { context, coreBody, gatewayBody, type StandIn, standIn, urlArgs } from "./support.js";

const SERVER = {
  request_timeout_ms: 60000,
  headers_timeout_ms: 20000,
  keep_alive_timeout_ms: 5000,
  max_connections: 1024,
};

let primary: StandIn;
let candidate: StandIn;
let gateway: StandIn;
beforeAll(async () => {
  primary = await standIn(200, coreBody({ server: SERVER }));
  candidate = await standIn(200, coreBody({ role: "candidate" }));
  gateway = await standIn(200, {});
  gateway.set(200, gatewayBody(primary.url, candidate.url, { server: SERVER }));
});
afterAll(async () => {
  await Promise.all([primary.close(), candidate.close(), gateway.close()]);
});

const run = async (env: NodeJS.ProcessEnv = {}, core = primary.url) =>
  checkExposure(await context([...urlArgs(core, candidate.url, gateway.url), "--mode", "process"], env));

describe("exposure", () => {
  it("passes the deadlines a service reports, and says nothing of open services on loopback", async () => {
    const results = await run();
    expect(results.map((r) => [r.target, r.id, r.severity])).toEqual([
      ["primary", "deadlines", "pass"],
      ["gateway", "deadlines", "pass"],
    ]);
    expect(results[0]!.message).toContain("request deadline 60000 ms");
  });

  it("warns on a deadline set to 0 or off in the environment", async () => {
    const results = await run({ GAIA_REQUEST_TIMEOUT_MS: "0", GAIA_KEEP_ALIVE_TIMEOUT_MS: "off" });
    const env = results.filter((r) => r.target === "environment");
    expect(env.map((r) => [r.id, r.severity])).toEqual([
      ["deadline-gaia_request_timeout_ms", "warn"],
      ["deadline-gaia_keep_alive_timeout_ms", "warn"],
    ]);
    expect(env[0]!.message).toContain("refuse to start");
  });

  const publicAddress = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a?.family === "IPv4" && !a.internal)?.address;
  (publicAddress ? it : it.skip)("warns on a core that answers without a key on all interfaces", async () => {
    const open = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(coreBody()));
    });
    await new Promise<void>((resolve) => open.listen(0, "0.0.0.0", resolve));
    try {
      const { port } = open.address() as AddressInfo;
      const results = await run({}, `http://127.0.0.1:${port}`);
      const warned = results.find((r) => r.id === "public-without-key");
      expect(warned).toMatchObject({ target: "primary", severity: "warn" });
      expect(warned!.message).toContain(`${publicAddress}:${port}`);
      expect(warned!.fix).toMatch(/GAIA_API_KEYS|HOST=127\.0\.0\.1/);
    } finally {
      open.closeAllConnections();
      open.close();
    }
  });
});
