// Integer and number ranges, checked exhaustively: the GBNF is read back as a RegExp (by a reader independent of the
// converter) and every integer of a window must match exactly when it is in range, in its one canonical spelling.
import { describe, expect, it } from "@jest/globals";
import { integerRangeAlternatives } from "../../../../services/core/inference/grammar/integerRange.js";
import {
  jsonSchemaGrammar,
  UnsupportedSchemaError,
} from "../../../../services/core/inference/grammar/jsonSchemaGrammar.js";
import { gbnfToRegExp } from "../../../support/gbnfToRegExp.js";

const WINDOW = 1_200;
const INTERESTING = [
  -1101, -1000, -999, -998, -101, -100, -99, -91, -90, -10, -9, -1, 0, 1, 2, 9, 10, 11, 19, 20, 45, 99, 100, 101, 109,
  110, 199, 200, 299, 999, 1000, 1001, 1099, 1100,
];

function expression(alternatives: string[]): RegExp {
  return gbnfToRegExp(`root ::= ${alternatives.join(" | ")}`);
}

/** Integers of the window where the RegExp and the range disagree (empty when the construction is exact). */
function mismatches(regExp: RegExp, inRange: (n: number) => boolean): number[] {
  const wrong: number[] = [];
  for (let n = -WINDOW; n <= WINDOW; n++) if (regExp.test(String(n)) !== inRange(n)) wrong.push(n);
  return wrong;
}

const NON_CANONICAL = ["-0", "00", "01", "007", "-01", "+1", "", "1.0", "1e2", " 1", "--1"];

describe("integerRangeAlternatives", () => {
  it("matches exactly the integers min..max for every pair of interesting bounds, negatives included", () => {
    let pairs = 0;
    for (const min of INTERESTING)
      for (const max of INTERESTING) {
        if (min > max) continue;
        const regExp = expression(integerRangeAlternatives(BigInt(min), BigInt(max)));
        expect({ min, max, wrong: mismatches(regExp, (n) => n >= min && n <= max) }).toEqual({ min, max, wrong: [] });
        for (const text of NON_CANONICAL)
          expect({ min, max, text, matched: regExp.test(text) }).toMatchObject({ matched: false });
        pairs++;
      }
    expect(pairs).toBeGreaterThan(500);
  });

  it("matches exactly for random pairs and random probes up to 10^7", () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round++) {
      const scale = 10 ** Math.floor(random() * 8);
      const a = Math.round((random() * 2 - 1) * scale);
      const b = Math.round((random() * 2 - 1) * scale);
      const [min, max] = a <= b ? [a, b] : [b, a];
      const regExp = expression(integerRangeAlternatives(BigInt(min), BigInt(max)));
      const probes = [min - 1, min, min + 1, max - 1, max, max + 1, 0, -1, 1];
      for (let i = 0; i < 100; i++) probes.push(Math.round((random() * 2 - 1) * scale * 1.5));
      const wrong = probes.filter((n) => regExp.test(String(n)) !== (n >= min && n <= max));
      expect({ min, max, wrong }).toEqual({ min, max, wrong: [] });
    }
  });

  it("an empty range has no alternatives, and a schema with one is refused", () => {
    expect(integerRangeAlternatives(5n, 4n)).toEqual([]);
    expect(() => jsonSchemaGrammar({ type: "integer", minimum: 5, exclusiveMaximum: 5 })).toThrow(
      UnsupportedSchemaError,
    );
    expect(() => jsonSchemaGrammar({ type: "number", exclusiveMinimum: 5, maximum: 5 })).toThrow(
      UnsupportedSchemaError,
    );
  });

  it("the check can fail: a construction one digit class off is caught", () => {
    const wrong = integerRangeAlternatives(10n, 345n).map((alternative) => alternative.replace("[0-9]", "[0-8]"));
    expect(mismatches(expression(wrong), (n) => n >= 10 && n <= 345).length).toBeGreaterThan(0);
  });
});

function schemaRegExp(schema: object): RegExp {
  return gbnfToRegExp(jsonSchemaGrammar(schema));
}

describe("integer schemas", () => {
  it("minimum/maximum/exclusiveMinimum/exclusiveMaximum, one-sided and fractional bounds, are exact", () => {
    const cases: { schema: object; inRange: (n: number) => boolean }[] = [];
    for (const bound of [-1001, -100, -37, -10, -1, 0, 1, 9, 10, 37, 100, 1001]) {
      cases.push({ schema: { minimum: bound }, inRange: (n) => n >= bound });
      cases.push({ schema: { maximum: bound }, inRange: (n) => n <= bound });
      cases.push({ schema: { exclusiveMinimum: bound }, inRange: (n) => n > bound });
      cases.push({ schema: { exclusiveMaximum: bound }, inRange: (n) => n < bound });
      cases.push({ schema: { minimum: bound - 0.5 }, inRange: (n) => n >= bound - 0.5 });
      cases.push({ schema: { exclusiveMaximum: bound + 0.5 }, inRange: (n) => n < bound + 0.5 });
      cases.push({
        schema: { minimum: bound, exclusiveMaximum: bound + 25 },
        inRange: (n) => n >= bound && n < bound + 25,
      });
      cases.push({ schema: { minimum: -5, exclusiveMinimum: bound }, inRange: (n) => n >= -5 && n > bound });
    }
    cases.push({ schema: { minimum: 1, maximum: 12 }, inRange: (n) => n >= 1 && n <= 12 });
    cases.push({ schema: { minimum: -90, maximum: 90 }, inRange: (n) => n >= -90 && n <= 90 });
    cases.push({ schema: {}, inRange: () => true });
    for (const { schema, inRange } of cases) {
      const regExp = schemaRegExp({ type: "integer", ...schema });
      expect({ schema, wrong: mismatches(regExp, inRange) }).toEqual({ schema, wrong: [] });
      for (const text of NON_CANONICAL)
        expect({ schema, text, matched: regExp.test(text) }).toMatchObject({ matched: false });
    }
  });

  it("unbounded sides stop at 15 digits, so every value is exact in a double", () => {
    const regExp = schemaRegExp({ type: "integer", minimum: -3 });
    expect(regExp.test("999999999999999")).toBe(true);
    expect(regExp.test("1000000000000000")).toBe(false);
    const any = schemaRegExp({ type: "integer" });
    expect(any.test("-999999999999999")).toBe(true);
    expect(any.test("-1000000000000000")).toBe(false);
  });
});

describe("number schemas with integer bounds", () => {
  const FRACTIONS = ["", ".5", ".1", ".000001", ".999999", ".25"];
  const BAD = ["1.0", "1.50", "-0", "-0.0", "0.0000001", "1e5", "1.", ".5", "01.5", "1.1234567"];

  it("are exact over integers and fractions, inclusive and exclusive, one- and two-sided", () => {
    const bounds = [-101, -10, -1, 0, 1, 3, 10, 101];
    const schemas: object[] = [{}];
    for (const a of bounds) {
      schemas.push({ minimum: a }, { exclusiveMinimum: a }, { maximum: a }, { exclusiveMaximum: a });
      for (const b of bounds) {
        if (a <= b) schemas.push({ minimum: a, maximum: b });
        if (a < b) schemas.push({ exclusiveMinimum: a, exclusiveMaximum: b }, { minimum: a, exclusiveMaximum: b });
      }
    }
    for (const schema of schemas) {
      const regExp = schemaRegExp({ type: "number", ...schema });
      const s = schema as Record<string, number>;
      const inRange = (x: number) =>
        (s.minimum === undefined || x >= s.minimum) &&
        (s.maximum === undefined || x <= s.maximum) &&
        (s.exclusiveMinimum === undefined || x > s.exclusiveMinimum) &&
        (s.exclusiveMaximum === undefined || x < s.exclusiveMaximum);
      const wrong: string[] = [];
      for (let n = -120; n <= 120; n++)
        for (const fraction of FRACTIONS)
          for (const sign of n === 0 ? ["", "-"] : [""]) {
            const text = `${sign}${n}${fraction}`;
            if (text !== "-0" && regExp.test(text) !== inRange(Number(text))) wrong.push(text);
          }
      expect({ schema, wrong }).toEqual({ schema, wrong: [] });
      for (const text of BAD) expect({ schema, text, matched: regExp.test(text) }).toMatchObject({ matched: false });
    }
  });
});
