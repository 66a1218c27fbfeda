import { describe, expect, it } from "@jest/globals";
import { parsePacket } from "../../../shared/packet/index.js";
import { gatewayPacket } from "../../fixtures/packets.js";

const problemsOf = (mutate: Parameters<typeof gatewayPacket>[0]) => {
  const result = parsePacket(gatewayPacket(mutate));
  return result.ok ? [] : result.problems;
};

describe("generation bounds on packets (the same rule as /v1)", () => {
  it("refuses zero or negative token limits, negative temperatures and top_p outside (0, 1], naming each field", () => {
    expect(
      problemsOf((p) => {
        p.context.constraints.max_tokens = -5;
      }),
    ).toEqual([{ path: "context.constraints.max_tokens", message: "must be a positive integer (got -5)" }]);
    expect(
      problemsOf((p) => {
        p.context.constraints.max_tokens = 0;
      }).map((x) => x.path),
    ).toEqual(["context.constraints.max_tokens"]);
    const several = problemsOf((p) => {
      p.header.model.max_output_tokens = 0;
      p.header.model.temperature = -0.5;
      p.header.model.top_p = 0;
    });
    expect(several.map((x) => x.path)).toEqual([
      "header.model.max_output_tokens",
      "header.model.temperature",
      "header.model.top_p",
    ]);
    expect(
      problemsOf((p) => {
        p.header.model.top_p = 1.01;
      }).map((x) => x.path),
    ).toEqual(["header.model.top_p"]);
  });

  it("accepts the edges of each range and unset (null) settings", () => {
    expect(
      problemsOf((p) => {
        p.context.constraints.max_tokens = 1;
        p.header.model.max_output_tokens = null;
        p.header.model.temperature = 0;
        p.header.model.top_p = 1;
      }),
    ).toEqual([]);
  });
});
