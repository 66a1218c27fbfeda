import { describe, expect, it } from "@jest/globals";
import { loadWebConfig } from "../../services/web/config.js";

describe("gateway replicas configuration", () => {
  it("keeps the two-endpoint pair when CORE_ENDPOINTS is unset or has one URL", () => {
    expect(loadWebConfig({}).coreReplicas).toBeNull();
    const one = loadWebConfig({ CORE_ENDPOINTS: "http://core-a:6415/" });
    expect(one.coreReplicas).toBeNull();
    expect(one.coreEndpoint).toBe("http://core-a:6415");
  });

  it("hashes over two or more replicas, or over a DNS name", () => {
    expect(loadWebConfig({ CORE_ENDPOINTS: "http://a:6415, http://b:6415,," }).coreReplicas).toEqual({
      urls: ["http://a:6415", "http://b:6415"],
      discovery: "static",
      intervalMs: 5000,
    });
    expect(
      loadWebConfig({ CORE_ENDPOINTS: "http://gaia-core-primary-replicas:6415", GAIA_CORE_DISCOVERY: "dns" })
        .coreReplicas,
    ).toMatchObject({ urls: ["http://gaia-core-primary-replicas:6415"], discovery: "dns" });
  });

  it("refuses a list with a bad URL, naming the variable", () => {
    expect(() => loadWebConfig({ CORE_ENDPOINTS: "http://a:6415,not a url" })).toThrow(/CORE_ENDPOINTS/);
  });
});
