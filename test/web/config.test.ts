import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { loadWebConfig } from "../../services/web/config.js";
import { ConfigError } from "../../shared/config/env.js";

describe("loadWebConfig", () => {
  it("has the original's defaults", () => {
    const config = loadWebConfig({});
    expect(config).toMatchObject({
      port: 6414,
      coreEndpoint: "http://127.0.0.1:6415",
      coreFallbackEndpoint: null,
      maintenanceFlagPath: path.resolve(".data/shared/ha_maintenance"),
      retry: { attempts: 3, baseDelayMs: 2000, jitter: "none" },
      coreTimeoutMs: 300_000,
      breaker: { threshold: 3, halfOpenAfterMs: 5000 },
    });
  });

  it("reads endpoints, knobs and the flag location from the environment", () => {
    const config = loadWebConfig({
      CORE_ENDPOINT: "http://gaia-core:6415/",
      CORE_FALLBACK_ENDPOINT: "http://gaia-core-candidate:6415",
      GAIA_SHARED_DIR: "/shared",
      GAIA_RETRY_ATTEMPTS: "5",
      GAIA_RETRY_BASE_DELAY_MS: "10",
      GAIA_BREAKER_HALF_OPEN_MS: "250",
    });
    expect(config.coreEndpoint).toBe("http://gaia-core:6415");
    expect(config.coreFallbackEndpoint).toBe("http://gaia-core-candidate:6415");
    expect(config.maintenanceFlagPath).toBe("/shared/ha_maintenance");
    expect(config.retry).toMatchObject({ attempts: 5, baseDelayMs: 10 });
    expect(config.breaker.halfOpenAfterMs).toBe(250);
    expect(loadWebConfig({ GAIA_MAINTENANCE_FLAG: "/tmp/flag", GAIA_SHARED_DIR: "/shared" }).maintenanceFlagPath).toBe(
      "/tmp/flag",
    );
  });

  it("names every bad variable in one ConfigError", () => {
    expect(() => loadWebConfig({ PORT: "abc", CORE_ENDPOINT: "not a url", GAIA_RETRY_ATTEMPTS: "0" })).toThrow(
      ConfigError,
    );
    try {
      loadWebConfig({ PORT: "abc", CORE_ENDPOINT: "not a url" });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT.*CORE_ENDPOINT|CORE_ENDPOINT.*PORT/);
    }
  });

  it("opens /metrics only when GAIA_METRICS_PUBLIC is exactly true or false", () => {
    expect(loadWebConfig({}).metricsPublic).toBe(false);
    expect(loadWebConfig({ GAIA_METRICS_PUBLIC: "true" }).metricsPublic).toBe(true);
    expect(() => loadWebConfig({ GAIA_METRICS_PUBLIC: "yes" })).toThrow(/GAIA_METRICS_PUBLIC: expected true or false/);
  });
});
