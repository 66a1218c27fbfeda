import { describe, expect, it } from "@jest/globals";
import { normalizeBreakerState, parseGatewayEndpoints } from "../../doctor/probe/gatewayEndpoints.js";

describe("parseGatewayEndpoints", () => {
  it("reads services/web's shape: {primary:{url,breaker,last_failure}, fallback|null}", () => {
    const parsed = parseGatewayEndpoints({
      primary: {
        url: "http://a:6415",
        breaker: "open",
        consecutive_failures: 3,
        last_failure: { at: "t", reason: "ECONNREFUSED" },
        last_success: null,
      },
      fallback: { url: "http://b:6415", breaker: "closed" },
    });
    expect(parsed).toEqual({
      primary: { name: "primary", url: "http://a:6415", state: "open", lastFailure: "ECONNREFUSED" },
      fallback: { name: "fallback", url: "http://b:6415", state: "closed" },
    });
    expect(parseGatewayEndpoints({ primary: { url: "http://a", breaker: "closed" }, fallback: null })).toEqual({
      primary: { name: "primary", url: "http://a", state: "closed" },
    });
  });

  it("reads lists, an endpoints array, url-keyed maps and a `candidate` key", () => {
    expect(
      parseGatewayEndpoints([
        { url: "http://a", state: 0 },
        { url: "http://b", state: 2 },
      ]),
    ).toEqual({
      primary: { name: "primary", url: "http://a", state: "closed" },
      fallback: { name: "fallback", url: "http://b", state: "half-open" },
    });
    expect(
      parseGatewayEndpoints({
        endpoints: [
          { role: "candidate", url: "http://b", state: "Closed" },
          { role: "primary", url: "http://a", state: "Open" },
        ],
      }),
    ).toMatchObject({
      primary: { url: "http://a", state: "open" },
      fallback: { url: "http://b", state: "closed" },
    });
    expect(parseGatewayEndpoints({ "http://a": "closed", "http://b": { state: "isolated" } })).toMatchObject({
      primary: { url: "http://a", state: "closed" },
      fallback: { url: "http://b", state: "isolated" },
    });
    expect(
      parseGatewayEndpoints({
        primary: { url: "http://a", state: "closed" },
        candidate: { url: "http://b", state: "closed" },
      })?.fallback?.url,
    ).toBe("http://b");
  });

  it("returns null for what it cannot read", () => {
    expect(parseGatewayEndpoints("up")).toBeNull();
    expect(parseGatewayEndpoints({ something: 1 })).toBeNull();
    expect(parseGatewayEndpoints([])).toBeNull();
  });

  it("normalizes breaker states", () => {
    expect(
      ["closed", "Open", "half_open", "halfOpen", "HALF-OPEN", "isolated", 1, 3, "weird", null].map(
        normalizeBreakerState,
      ),
    ).toEqual([
      "closed",
      "open",
      "half-open",
      "half-open",
      "half-open",
      "isolated",
      "open",
      "isolated",
      "unknown",
      "unknown",
    ]);
  });
});
