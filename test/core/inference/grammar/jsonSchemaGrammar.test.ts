// The converter's shapes, read back through an independent GBNF → RegExp reader: compact JSON exactly as
// JSON.stringify writes it, keys in schema order, optional members omittable, extra keys never a listed name; and the
// schemas it refuses, with the path of what it refuses.
import { describe, expect, it } from "@jest/globals";
import {
  jsonSchemaGrammar,
  jsonSchemaRules,
  UnsupportedSchemaError,
} from "../../../../services/core/inference/grammar/jsonSchemaGrammar.js";
import { gbnfToRegExp, parseGbnf } from "../../../support/gbnfToRegExp.js";

/** A candidate given as JSON text rather than as a value to JSON.stringify. */
class RawText {
  constructor(readonly text: string) {}
}
const raw = (text: string) => new RawText(text);

function accepts(schema: unknown, recursionDepth = 0): (value: unknown) => boolean {
  const regExp = gbnfToRegExp(jsonSchemaGrammar(schema), "root", recursionDepth);
  return (value) => regExp.test(value instanceof RawText ? value.text : JSON.stringify(value));
}

/** The candidates (values, or raw() texts) the grammar accepts. */
function accepted(schema: unknown, candidates: unknown[], recursionDepth = 0): unknown[] {
  const test = accepts(schema, recursionDepth);
  return candidates.filter((candidate) => test(candidate));
}

const GET_WEATHER = {
  type: "object",
  properties: {
    location: { type: "string", description: "City and country e.g. Bogotá, Colombia" },
    units: { type: "string", enum: ["celsius", "fahrenheit"] },
  },
  required: ["location", "units"],
  additionalProperties: false,
};

describe("objects", () => {
  it("get_weather: exactly the compact JSON.stringify text, keys in order, no extra keys", () => {
    const test = accepts(GET_WEATHER);
    expect(test({ location: "Paris, France", units: "celsius" })).toBe(true);
    expect(test({ location: 'He said "hi"\n\ttabbed \\ ☃ 😀', units: "fahrenheit" })).toBe(true);
    expect(test(raw('{"location": "Paris", "units": "celsius"}'))).toBe(false);
    expect(test(raw('{ "location":"Paris","units":"celsius" }'))).toBe(false);
    expect(test({ units: "celsius", location: "Paris" })).toBe(false);
    expect(test({ location: "Paris" })).toBe(false);
    expect(test({ location: "Paris", units: "kelvin" })).toBe(false);
    expect(test({ location: "Paris", units: "celsius", extra: 1 })).toBe(false);
  });

  it("optional properties may each be omitted, in order, and commas only between members", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "integer" }, b: { type: "boolean" }, c: { type: "null" }, d: { type: "string" } },
      required: ["c"],
    };
    const all: unknown[] = [];
    for (let mask = 0; mask < 16; mask++) {
      const value: Record<string, unknown> = {};
      if (mask & 1) value.a = 1;
      if (mask & 2) value.b = true;
      if (mask & 4) value.c = null;
      if (mask & 8) value.d = "x";
      all.push(value);
    }
    const withC = all.filter((value) => "c" in (value as object));
    expect(accepted(schema, all)).toEqual(withC);
    expect(
      accepted(schema, [raw('{"c":null,}'), raw('{,"c":null}'), raw('{"b":true,"a":1,"c":null}'), raw("{}")]),
    ).toEqual([]);
    const none = { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } } };
    expect(
      accepted(none, [{}, { a: 1 }, { b: 2 }, { a: 1, b: 2 }, raw("{,}"), raw('{"a":1,}'), { b: 2, a: 1 }]),
    ).toEqual([{}, { a: 1 }, { b: 2 }, { a: 1, b: 2 }]);
  });

  it("additionalProperties true or a schema: extra keys after the listed ones, never a listed name", () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, 'we"ird\\': { type: "integer" } },
      required: ["name"],
      additionalProperties: { type: "integer" },
    };
    const test = accepts(schema);
    expect(test({ name: "x" })).toBe(true);
    expect(test({ name: "x", 'we"ird\\': 1, other: 2, names: 3, nam: 4, "": 5 })).toBe(true);
    expect(test(raw('{"name":"x","name":3}'))).toBe(false);
    expect(test(raw('{"name":"x","we\\"ird\\\\":1,"we\\"ird\\\\":2}'))).toBe(false);
    expect(test({ name: "x", other: "string" })).toBe(false);
    expect(test({ other: 2, name: "x" })).toBe(false);
    const open = accepts({ type: "object", properties: { a: { type: "integer" } }, additionalProperties: true });
    expect(open({})).toBe(true);
    expect(open({ b: "x", c: null })).toBe(true);
    expect(open(raw('{"a":1,"a":2}'))).toBe(false);
  });

  it("an optional property no value satisfies is never written, nor taken as an extra key", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "integer" }, gone: false, never: { type: "integer", minimum: 2, maximum: 1 } },
      additionalProperties: { type: "integer" },
    };
    expect(accepted(schema, [{ a: 1 }, { a: 1, gone: 1 }, { never: 1 }, { a: 1, b: 2 }])).toEqual([
      { a: 1 },
      { a: 1, b: 2 },
    ]);
    expect(refusal({ type: "object", properties: { gone: false }, required: ["gone"] })?.path).toBe("properties.gone");
  });

  it("a bare object type is any object; required names outside properties are written with any value", () => {
    expect(accepted({ type: "object" }, [{}, { x: 1 }, { x: { y: [true] } }, raw("[]")], 3)).toEqual([
      {},
      { x: 1 },
      { x: { y: [true] } },
    ]);
    expect(accepted({ type: "object", required: ["id"] }, [{ id: 1 }, {}, { id: "x" }], 2)).toEqual([
      { id: 1 },
      { id: "x" },
    ]);
  });
});

describe("arrays", () => {
  it("minItems/maxItems bound the count, compactly", () => {
    const schema = { type: "array", items: { type: "integer", minimum: 0, maximum: 9 }, minItems: 2, maxItems: 4 };
    const candidates = [
      [],
      [1],
      [1, 2],
      [1, 2, 3],
      [1, 2, 3, 4],
      [1, 2, 3, 4, 5],
      raw("[1, 2]"),
      raw("[1,2,]"),
      [1, 10],
    ];
    expect(accepted(schema, candidates)).toEqual([
      [1, 2],
      [1, 2, 3],
      [1, 2, 3, 4],
    ]);
    expect(
      accepted({ type: "array", items: { type: "boolean" } }, [[], [true], [true, false, true], raw("[,]")]),
    ).toEqual([[], [true], [true, false, true]]);
  });

  it("prefixItems by position, then items; without items no more than the prefix", () => {
    const tuple = { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], minItems: 1 };
    expect(accepted(tuple, [[], ["a"], ["a", 1], ["a", 1, 2], [1], ["a", "b"]])).toEqual([["a"], ["a", 1]]);
    const more = { ...tuple, items: { type: "boolean" }, maxItems: 3 };
    expect(accepted(more, [["a"], ["a", 1], ["a", 1, true], ["a", 1, true, false], ["a", true]])).toEqual([
      ["a"],
      ["a", 1],
      ["a", 1, true],
    ]);
  });
});

describe("strings", () => {
  it("are written as JSON.stringify writes them: its escapes, no others, no raw controls", () => {
    const test = accepts({ type: "string" });
    for (const value of ["", "plain", 'q"b\\s/', "\n\r\t\b\f", "\u0000\u0001\u000b\u001f\u007f", "é☃😀"])
      expect({ value, ok: test(value) }).toEqual({ value, ok: true });
    for (const text of ['"\\/"', '"\\u0041"', '"\\u000A"', '"\\u000a"', '"a\nb"', '"\t"', '"\\x41"', '"unterminated'])
      expect({ text, ok: test(raw(text)) }).toEqual({ text, ok: false });
  });

  it("minLength/maxLength count characters (code points, escapes as one)", () => {
    const schema = { type: "string", minLength: 2, maxLength: 3 };
    expect(accepted(schema, ["a", "ab", "a\n", "😀😀😀", "abcd", "😀"])).toEqual(["ab", "a\n", "😀😀😀"]);
  });

  it("formats date, time, date-time and uuid; dates are real calendar dates", () => {
    const date = accepts({ type: "string", format: "date" });
    expect(["2024-02-29", "2000-02-29", "2023-12-31", "2023-04-30", "0000-02-29"].filter(date)).toHaveLength(5);
    expect(["2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-1-01"].filter(date)).toEqual(
      [],
    );
    const time = accepts({ type: "string", format: "time" });
    expect(["12:30:00Z", "23:59:59.123+05:30", "00:00:00-08:00"].filter(time)).toHaveLength(3);
    expect(["24:00:00Z", "12:60:00Z", "12:30:00", "12:30Z"].filter(time)).toEqual([]);
    const dateTime = accepts({ type: "string", format: "date-time" });
    expect(dateTime("2026-12-03T13:10:58Z")).toBe(true);
    expect(dateTime("2026-12-03 13:10:58Z")).toBe(false);
    const uuid = accepts({ type: "string", format: "uuid" });
    expect(uuid("123e4567-e89b-12d3-a456-426614174000")).toBe(true);
    expect(uuid("123e4567e89b12d3a456426614174000")).toBe(false);
  });
});

describe("enum, const, type lists, $ref, allOf, anyOf", () => {
  it("enum and const write their values' JSON; values the rest of the schema refuses are left out", () => {
    expect(accepted({ enum: ["a", 1, null, { x: [1] }] }, ["a", 1, null, { x: [1] }, "b", 2])).toEqual([
      "a",
      1,
      null,
      { x: [1] },
    ]);
    expect(accepted({ type: "string", enum: ["a", 1, "long"], maxLength: 2 }, ["a", 1, "long"])).toEqual(["a"]);
    expect(accepted({ const: "fixed" }, ["fixed", "other"])).toEqual(["fixed"]);
  });

  it("a list of types is the union", () => {
    expect(accepted({ type: ["string", "null"] }, ["x", null, 1, true])).toEqual(["x", null]);
    expect(accepted({ type: ["integer", "boolean"], minimum: 3 }, [2, 3, true, "x"])).toEqual([3, true]);
  });

  it("$ref to $defs and definitions, recursive ones included", () => {
    const tree = {
      $defs: {
        node: {
          type: "object",
          properties: {
            value: { $ref: "#/definitions/leaf" },
            children: { type: "array", items: { $ref: "#/$defs/node" } },
          },
          required: ["value"],
        },
      },
      definitions: { leaf: { type: "integer", minimum: 0, maximum: 9 } },
      $ref: "#/$defs/node",
    };
    const values = [
      { value: 1 },
      { value: 1, children: [] },
      { value: 1, children: [{ value: 2, children: [{ value: 3 }] }] },
      { value: 10 },
      { children: [] },
    ];
    expect(accepted(tree, values, 3)).toEqual(values.slice(0, 3));
  });

  it("allOf merges object members; anyOf/oneOf are alternatives, siblings applying to each", () => {
    const merged = {
      allOf: [
        { type: "object", properties: { a: { type: "integer" } }, required: ["a"] },
        { properties: { b: { type: "string" }, a: { minimum: 5 } }, required: ["b"] },
      ],
    };
    expect(accepted(merged, [{ a: 5, b: "x" }, { a: 4, b: "x" }, { a: 5 }, { b: "x", a: 5 }])).toEqual([
      { a: 5, b: "x" },
    ]);
    const closed = {
      allOf: [
        { properties: { a: { type: "integer" } }, additionalProperties: false },
        { properties: { b: { type: "string" } } },
      ],
    };
    expect(accepted(closed, [{ a: 1 }, { a: 1, b: "x" }, {}])).toEqual([{ a: 1 }, {}]);
    const proto = {
      allOf: [
        { properties: { b: { type: "string" } } },
        JSON.parse('{"properties":{"__proto__":{"type":"integer"}},"required":["__proto__"]}'),
      ],
    };
    expect(accepted(proto, [raw('{"__proto__":1}'), raw('{"__proto__":"x"}'), raw("{}")])).toHaveLength(1);
    const alternatives = {
      type: "object",
      required: ["k"],
      anyOf: [{ properties: { k: { const: 1 } } }, { properties: { k: { type: "string" } } }],
    };
    expect(accepted(alternatives, [{ k: 1 }, { k: "x" }, { k: 2 }, {}])).toEqual([{ k: 1 }, { k: "x" }]);
    expect(accepted({ oneOf: [{ type: "boolean" }, { type: "integer", maximum: 0 }] }, [true, 0, 1])).toEqual([
      true,
      0,
    ]);
  });

  it("oneOf is written only when no value can match two alternatives: types, discriminators, closed objects", () => {
    const shapes = {
      type: "object",
      required: ["kind"],
      oneOf: [
        { properties: { kind: { const: "circle" }, r: { type: "integer" } }, required: ["r"] },
        { properties: { kind: { enum: ["square", "box"] }, side: { type: "integer" } }, required: ["side"] },
      ],
    };
    const values = [
      { kind: "circle", r: 1 },
      { kind: "box", side: 2 },
      { kind: "circle", side: 2 },
      { kind: "x", r: 1 },
    ];
    expect(accepted(shapes, values)).toEqual(values.slice(0, 2));
    const closed = {
      oneOf: [
        { type: "object", properties: { a: { type: "integer" } }, required: ["a"], additionalProperties: false },
        { type: "object", properties: { b: { type: "integer" } }, required: ["b"], additionalProperties: false },
      ],
    };
    expect(accepted(closed, [{ a: 1 }, { b: 1 }, { a: 1, b: 1 }, {}])).toEqual([{ a: 1 }, { b: 1 }]);
    const formats = {
      oneOf: [{ type: "string", format: "date" }, { type: "string", format: "uuid" }, { type: "null" }],
    };
    expect(accepted(formats, ["2024-01-31", null, "x"])).toEqual(["2024-01-31", null]);
  });

  it("an alternative no value satisfies is left out; one that is unsupported is still refused", () => {
    const narrowed = { type: "string", anyOf: [{ minLength: 1 }, { type: "null" }] };
    expect(accepted(narrowed, ["", "x", null])).toEqual(["x"]);
    const oneOf = { type: "integer", oneOf: [{ maximum: 3 }, { type: "string" }, { minimum: 10, maximum: 2 }] };
    expect(accepted(oneOf, [3, 4, "x"])).toEqual([3]);
    expect(refusal({ anyOf: [{ type: "string", pattern: "x" }, { type: "null" }] })?.path).toBe("anyOf.0.pattern");
    expect(
      refusal({
        anyOf: [{ type: "integer", minimum: 3, maximum: 1 }, { allOf: [{ type: "null" }, { type: "string" }] }],
      }),
    ).toMatchObject({ name: "UnsatisfiableSchemaError" });
  });

  it("{} and true are any value; annotations change nothing", () => {
    expect(accepted(true, [1, "x", null, [1], { a: {} }], 2)).toHaveLength(5);
    const annotated = {
      type: "integer",
      title: "n",
      description: "d",
      default: 1,
      examples: [1],
      $schema: "x",
      strict: true,
    };
    expect(accepted(annotated, [1, "x"])).toEqual([1]);
  });
});

describe("rule names", () => {
  it("all start with the prefix, and two prefixes never share a name", () => {
    const a = jsonSchemaRules(GET_WEATHER, "a");
    const ab = jsonSchemaRules(GET_WEATHER, "a-b");
    const names = (rules: string[]) => [...parseGbnf(rules.join("\n")).keys()];
    expect(a.root).toBe("a-root");
    expect(names(a.rules).every((name) => name.startsWith("a-"))).toBe(true);
    expect(names(ab.rules).every((name) => name.startsWith("a-b-"))).toBe(true);
    expect(names(a.rules).filter((name) => names(ab.rules).includes(name))).toEqual([]);
    expect(() => jsonSchemaRules({}, "Bad_Prefix")).toThrow(TypeError);
  });
});

/** The UnsupportedSchemaError (or its UnsatisfiableSchemaError subclass) the schema is refused with, if any. */
function refusal(schema: unknown): { path: string; name: string; message: string } | undefined {
  try {
    jsonSchemaGrammar(schema);
    return undefined;
  } catch (error) {
    if (!(error instanceof UnsupportedSchemaError)) throw error;
    return { path: error.path, name: error.name, message: error.message };
  }
}

describe("refused schemas name the path", () => {
  it.each([
    [{ type: "object", properties: { age: { type: "string", pattern: "^[0-9]+$" } } }, "properties.age.pattern"],
    [{ type: "number", multipleOf: 0.5 }, "multipleOf"],
    [{ type: "object", properties: { x: { not: { type: "null" } } } }, "properties.x.not"],
    [JSON.parse(`{"if":{"type":"string"},"then":{"minLength":1}}`), "if"],
    [{ type: "object", patternProperties: { "^x": {} } }, "patternProperties"],
    [{ type: "object", minProperties: 1 }, "minProperties"],
    [{ type: "array", items: { type: "number", minimum: 0.5 } }, "items.minimum"],
    [{ type: "array", items: { type: "string" }, uniqueItems: true }, "uniqueItems"],
    [{ anyOf: [{ type: "string" }, { type: "string", format: "date", maxLength: 4 }] }, "anyOf.1.format"],
    [{ $ref: "https://example.com/schema.json" }, "$ref"],
    [{ properties: { a: { $ref: "#/$defs/missing" } } }, "properties.a.$ref"],
    [{ $defs: { a: { $ref: "#/$defs/b" }, b: { $ref: "#/$defs/a" } }, $ref: "#/$defs/a" }, "$ref"],
    [{ type: "widget" }, "type"],
    [{ oneOf: [{ type: "number" }, { type: "integer" }] }, "oneOf"],
    [{ properties: { x: { oneOf: [{ type: "string" }, { type: "string", maxLength: 3 }] } } }, "properties.x.oneOf"],
    [{ type: "integer", minimum: 10, maximum: 1 }, ""],
    [{ type: "object", required: ["x"], additionalProperties: false }, "required"],
    [{ type: "number", exclusiveMinimum: true, minimum: 1 }, "exclusiveMinimum"],
    [false, ""],
  ])("%j → %s", (schema, path) => {
    expect(refusal(schema)?.path).toBe(path);
  });

  it("a 10,000-deep schema is refused, never a stack overflow, whatever nests", () => {
    const deep = (wrap: (inner: unknown) => unknown): unknown => {
      let schema: unknown = { type: "integer" };
      for (let i = 0; i < 10_000; i++) schema = wrap(schema);
      return schema;
    };
    const shapes: ((inner: unknown) => unknown)[] = [
      (inner) => ({ type: "object", properties: { a: inner } }),
      (inner) => ({ type: "array", items: inner }),
      (inner) => ({ anyOf: [inner, { type: "null" }] }),
      (inner) => ({ allOf: [inner] }),
      (inner) => ({ prefixItems: [inner] }),
      (inner) => ({ enum: [[inner]] }),
    ];
    for (const shape of shapes) {
      const result = refusal(deep(shape));
      expect(result?.message).toMatch(/nested deeper than 64 levels/);
    }
    const chain: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) chain[`d${i}`] = { type: "array", items: { $ref: `#/$defs/d${i + 1}` } };
    chain.d10000 = { type: "integer" };
    expect(refusal({ $defs: chain, $ref: "#/$defs/d0" })?.message).toMatch(/nested deeper than 64 levels/);
  });

  it("60 levels are still fine", () => {
    let schema: unknown = { type: "integer" };
    for (let i = 0; i < 60; i++) schema = { type: "object", properties: { a: schema }, required: ["a"] };
    expect(refusal(schema)).toBeUndefined();
  });
});
