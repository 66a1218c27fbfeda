import { describe, expect, it } from "@jest/globals";
import { loadCoreConfig } from "../../../services/core/config.js";
import { loadWebConfig } from "../../../services/web/config.js";
import { createBoundedServer } from "../../../shared/http/serverDeadlines.js";

describe("server deadlines", () => {
  it.each([
    ["gaia-core", loadCoreConfig],
    ["gaia-web", loadWebConfig],
  ])("%s has request, header and keep-alive deadlines and a connection cap by default", (_name, load) => {
    const { server } = load({});
    expect(server.requestTimeoutMs).toBeGreaterThan(0);
    expect(server.headersTimeoutMs).toBeGreaterThan(0);
    expect(server.headersTimeoutMs).toBeLessThanOrEqual(server.requestTimeoutMs);
    expect(server.keepAliveTimeoutMs).toBeGreaterThan(0);
    expect(server.maxConnections).toBeGreaterThan(0);
  });

  it.each([
    ["gaia-core", loadCoreConfig],
    ["gaia-web", loadWebConfig],
  ])("%s refuses 0 (off) for a deadline and takes configured values", (_name, load) => {
    expect(() => load({ GAIA_REQUEST_TIMEOUT_MS: "0" })).toThrow(/GAIA_REQUEST_TIMEOUT_MS/);
    expect(() => load({ GAIA_KEEP_ALIVE_TIMEOUT_MS: "0" })).toThrow(/GAIA_KEEP_ALIVE_TIMEOUT_MS/);
    const { server } = load({
      GAIA_REQUEST_TIMEOUT_MS: "5000",
      GAIA_HEADERS_TIMEOUT_MS: "9000",
      GAIA_MAX_CONNECTIONS: "7",
    });
    expect(server).toMatchObject({ requestTimeoutMs: 5000, headersTimeoutMs: 5000, maxConnections: 7 });
  });

  it("applies them to the Node server", () => {
    const server = createBoundedServer(() => undefined, {
      requestTimeoutMs: 5000,
      headersTimeoutMs: 2000,
      keepAliveTimeoutMs: 700,
      maxConnections: 9,
    });
    expect(server).toMatchObject({
      requestTimeout: 5000,
      headersTimeout: 2000,
      keepAliveTimeout: 700,
      maxConnections: 9,
    });
  });
});
