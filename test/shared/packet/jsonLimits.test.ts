import { describe, expect, it } from "@jest/globals";
import {
  type CognitionPacket,
  jsonLimitViolation,
  MAX_JSON_DEPTH,
  MAX_LISTED_PROBLEMS,
  type PacketParseResult,
  parsePacket,
} from "../../../shared/packet/index.js";
import { gatewayPacket } from "../../fixtures/packets.js";

/** `{"a":{"a":…{}}}` nested `depth` deep, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Sets a key the schema keeps (an unknown key, or an Any field) on a packet section. */
const keep = (section: object, key: string, value: unknown) => {
  (section as Record<string, unknown>)[key] = value;
};

function problemsOf(result: PacketParseResult) {
  if (result.ok) throw new Error("expected problems, got a packet");
  return result;
}

describe("jsonLimitViolation", () => {
  it("accepts values up to the depth limit and names the path of the first deeper one", () => {
    expect(jsonLimitViolation(nested(MAX_JSON_DEPTH))).toBeNull();
    const violation = jsonLimitViolation({ x: [nested(MAX_JSON_DEPTH)] });
    expect(violation?.path.slice(0, 3)).toEqual(["x", 0, "a"]);
    expect(violation?.message).toContain(`deeper than ${MAX_JSON_DEPTH}`);
  });

  it("walks 100,000 levels without recursing (no stack overflow) and stops at the limit", () => {
    expect(() => jsonLimitViolation(nested(100_000))).not.toThrow();
    expect(jsonLimitViolation(nested(100_000))?.path).toHaveLength(MAX_JSON_DEPTH);
  });

  it("refuses more values than the size limit", () => {
    expect(jsonLimitViolation([1, 2, 3], { maxDepth: 10, maxValues: 3 })?.message).toContain("more than 3");
    expect(jsonLimitViolation([1, 2], { maxDepth: 10, maxValues: 3 })).toBeNull();
  });
});

describe("parsePacket: depth limit on every kept value", () => {
  it.each<[string, (p: CognitionPacket) => void, string]>([
    ["an unknown key of reasoning", (p) => keep(p.reasoning, "extra", nested(2500)), "reasoning.extra"],
    ["an unknown key of header", (p) => keep(p.header, "x_newer", nested(2500)), "header.x_newer"],
    [
      "an Any value of content.data_fields",
      (p) => keep(p.content, "data_fields", [{ key: "k", type: "json", value: nested(2500) }]),
      "content.data_fields.0.value",
    ],
  ])("refuses a value nested 2,500 deep in %s, naming its path", (_name, mutate, path) => {
    const { problems } = problemsOf(parsePacket(gatewayPacket(mutate)));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path.startsWith(`${path}.a`)).toBe(true);
    expect(problems[0]!.message).toContain("nested deeper than");
  });

  it("still accepts kept values of ordinary depth", () => {
    expect(parsePacket(gatewayPacket((p) => keep(p.reasoning, "extra", nested(20)))).ok).toBe(true);
  });
});

describe("parsePacket: bounded problem lists", () => {
  it("lists the first problems of 10^5 bad items and counts them all", () => {
    const packet = gatewayPacket((p) =>
      keep(
        p.context,
        "cheatsheets",
        Array.from({ length: 100_000 }, () => 1),
      ),
    );
    const result = problemsOf(parsePacket(packet));
    expect(result.problems).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(result.problemCount).toBe(100_000);
    expect(result.problems[0]!.path).toBe("context.cheatsheets.0");
  });
});
