import { describe, expect, it } from "@jest/globals";
import { loadCoreConfig } from "../../services/core/config.js";
import { ConfigError } from "../../shared/config/env.js";

describe("session store configuration", () => {
  it("defaults to the file store", () => {
    expect(loadCoreConfig({}).sessionStore).toEqual({ kind: "file" });
    expect(loadCoreConfig({ GAIA_SESSION_STORE: "file" }).sessionStore).toEqual({ kind: "file" });
  });

  it("selects Redis by URL, with prefix, idle TTL (seconds → ms, off by default) and command timeout", () => {
    expect(loadCoreConfig({ GAIA_SESSION_STORE: "redis://10.0.0.5:6379/2" }).sessionStore).toEqual({
      kind: "redis",
      url: "redis://10.0.0.5:6379/2",
      prefix: "gaia:",
      sessionTtlMs: 0,
      commandTimeoutMs: 2000,
    });
    expect(
      loadCoreConfig({
        GAIA_SESSION_STORE: "rediss://user:secret@redis.example:6380",
        GAIA_REDIS_PREFIX: "team-a:",
        GAIA_SESSION_TTL_S: "3600",
        GAIA_REDIS_TIMEOUT_MS: "500",
      }).sessionStore,
    ).toMatchObject({ kind: "redis", prefix: "team-a:", sessionTtlMs: 3_600_000, commandTimeoutMs: 500 });
  });

  it("refuses anything else with one line naming the variable", () => {
    expect(() => loadCoreConfig({ GAIA_SESSION_STORE: "postgres://db/gaia" })).toThrow(ConfigError);
    expect(() => loadCoreConfig({ GAIA_SESSION_STORE: "postgres://db/gaia" })).toThrow(/GAIA_SESSION_STORE/);
    expect(() => loadCoreConfig({ GAIA_SESSION_TTL_S: "-1" })).toThrow(/GAIA_SESSION_TTL_S/);
  });
});
