/**
 * JSON Schema → GBNF, so that every value the model writes under the grammar validates against the schema and is
 * written exactly as JSON.stringify would write it (compact, keys in schema order). Modelled on llama.cpp's
 * common/json-schema-to-grammar.cpp, with exact integer and number ranges; what the grammar cannot guarantee is an
 * UnsupportedSchemaError naming where in the schema it is.
 *
 * Choices: a missing `additionalProperties` next to `properties` or `required` writes no extra keys (llama.cpp does the
 * same; the value stays valid), `true` or a schema allows extra keys after the listed ones, never one of the listed names;
 * `{"type":"object"}` alone is any object. `oneOf` is written as alternatives only when no value can match two of them
 * (llama.cpp writes it as anyOf regardless). A `format` other than
 * date, time, date-time and uuid is an annotation (as JSON Schema defines it by default) and writes a plain string.
 */
import { arrayGbnf, type ObjectMember, objectGbnf } from "./containerGbnf.js";
import { gbnfLiteral, gbnfRepeat } from "./gbnfText.js";
import { JSON_CHAR_GBNF, stringExcludingRules } from "./jsonStringGbnf.js";
import { mergeSchemas } from "./mergeSchemas.js";
import { type Bound, INTEGER_LIMIT, integerAlternatives, numberAlternatives } from "./numberRange.js";
import { provablyDisjoint } from "./oneOfDisjoint.js";
import { childPath, isSchemaObject, MAX_SCHEMA_DEPTH, type SchemaObject, schemaValueJson } from "./schemaJson.js";
import { stringFormatGbnf } from "./stringFormats.js";
import { UnsatisfiableSchemaError } from "./UnsatisfiableSchemaError.js";
import { UnsupportedSchemaError } from "./UnsupportedSchemaError.js";

export { UnsupportedSchemaError } from "./UnsupportedSchemaError.js";

/** Keywords that only describe: they never change which values are valid. */
const ANNOTATIONS = new Set([
  "description",
  "title",
  "default",
  "examples",
  "$schema",
  "$id",
  "$comment",
  "$anchor",
  "strict",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$defs",
  "definitions",
  "contentEncoding",
  "contentMediaType",
]);

/** Keywords that change validity in ways this grammar does not enforce. */
const UNSUPPORTED = [
  "pattern",
  "multipleOf",
  "not",
  "if",
  "then",
  "else",
  "patternProperties",
  "propertyNames",
  "minProperties",
  "maxProperties",
  "dependentRequired",
  "dependentSchemas",
  "dependencies",
  "contains",
  "minContains",
  "maxContains",
  "unevaluatedProperties",
  "unevaluatedItems",
  "$dynamicRef",
  "$recursiveRef",
];

const PRIMITIVES = {
  char: () => JSON_CHAR_GBNF,
  string: (p: Primitive) => `"\\"" ${p("char")}* "\\""`,
  strrest: (p: Primitive) => `${p("char")}* "\\""`,
  number: () => numberAlternatives(undefined, undefined).join(" | "),
  integer: () => integerAlternatives(undefined, undefined).join(" | "),
  boolean: () => '"true" | "false"',
  null: () => '"null"',
  value: (p: Primitive) => [p("object"), p("array"), p("string"), p("number"), p("boolean"), p("null")].join(" | "),
  object: (p: Primitive) => `"{" (${p("string")} ":" ${p("value")} ("," ${p("string")} ":" ${p("value")})*)? "}"`,
  array: (p: Primitive) => `"[" (${p("value")} ("," ${p("value")})*)? "]"`,
} as const;
type PrimitiveName = keyof typeof PRIMITIVES;
type Primitive = (name: PrimitiveName) => string;

const TYPE_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  object: ["properties", "required", "additionalProperties"],
  array: ["items", "prefixItems", "minItems", "maxItems"],
  string: ["minLength", "maxLength", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
};

function hasValidation(schema: SchemaObject): boolean {
  return Object.keys(schema).some((key) => !ANNOTATIONS.has(key));
}

function unsupported(path: string, message: string): never {
  throw new UnsupportedSchemaError(path, message);
}

function unsatisfiable(path: string, message: string): never {
  throw new UnsatisfiableSchemaError(path, message);
}

/** Builds the rules for one schema; one instance per call. */
class GrammarBuilder {
  private readonly rules = new Map<string, string>();
  private readonly refRules = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly rootSchema: unknown,
    private readonly prefix: string,
  ) {}

  build(): { root: string; rules: string[] } {
    const root = this.ruleName("root");
    this.rules.set(root, "");
    this.rules.set(root, this.expression(this.rootSchema, "", 0));
    return { root, rules: [...this.rules].map(([name, body]) => `${name} ::= ${body}`) };
  }

  /** Local names never contain '-', so two prefixes can never produce the same full name. */
  private ruleName(local: string): string {
    return `${this.prefix}-${local}`;
  }

  private addRule(body: string): string {
    const name = this.ruleName(`s${++this.counter}`);
    this.rules.set(name, body);
    return name;
  }

  private readonly primitive: Primitive = (name) => {
    const ruleName = this.ruleName(name);
    if (!this.rules.has(ruleName)) {
      this.rules.set(ruleName, "");
      this.rules.set(ruleName, PRIMITIVES[name](this.primitive));
    }
    return ruleName;
  };

  /** A rule name for the values of `schema` (a new rule unless the expression already is one). */
  private rule(schema: unknown, path: string, depth: number): string {
    const expression = this.expression(schema, path, depth);
    return /^[a-z0-9-]+$/.test(expression) ? expression : this.addRule(expression);
  }

  /** The GBNF expression for the values of `schema`. */
  private expression(schema: unknown, path: string, depth: number): string {
    if (depth > MAX_SCHEMA_DEPTH) unsupported(path, `nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
    if (schema === true) return this.primitive("value");
    if (schema === false) unsatisfiable(path, "the schema false allows no value");
    if (!isSchemaObject(schema)) unsupported(path, "a schema must be an object or a boolean");
    for (const keyword of UNSUPPORTED)
      if (keyword in schema) unsupported(childPath(path, keyword), `"${keyword}" cannot be enforced by the grammar`);
    if (schema.uniqueItems === true) unsupported(childPath(path, "uniqueItems"), "uniqueItems cannot be enforced");
    if ("$ref" in schema) return this.refExpression(schema, path, depth);
    if ("allOf" in schema) return this.expression(this.mergedAllOf(schema, path, depth), path, depth + 1);
    if ("anyOf" in schema && "oneOf" in schema) unsupported(path, "anyOf and oneOf together are not supported");
    if ("anyOf" in schema || "oneOf" in schema) return this.alternativesExpression(schema, path, depth);
    if ("const" in schema || "enum" in schema) return this.valuesExpression(schema, path);
    return this.typedExpression(schema, path, depth);
  }

  private refExpression(schema: SchemaObject, path: string, depth: number): string {
    const { $ref: ref, ...siblings } = schema;
    if (typeof ref !== "string") unsupported(childPath(path, "$ref"), "must be a string");
    if (hasValidation(siblings)) return this.expression({ allOf: [{ $ref: ref }, siblings] }, path, depth + 1);
    const existing = this.refRules.get(ref);
    if (existing) return existing;
    const { target, targetPath } = this.resolve(ref, childPath(path, "$ref"));
    const name = this.ruleName(`ref${this.refRules.size + 1}`);
    this.refRules.set(ref, name);
    this.rules.set(name, "");
    this.rules.set(name, this.expression(target, targetPath, depth + 1));
    return name;
  }

  /** The schema a local `$ref` points at; a chain of bare `$ref`s that comes back to itself is refused. */
  private resolve(ref: string, path: string): { target: unknown; targetPath: string } {
    const resolved = this.pointer(ref, path);
    const seen = new Set([ref]);
    let target = resolved.target;
    for (;;) {
      if (!isSchemaObject(target)) break;
      const { $ref: next, ...rest } = target;
      if (typeof next !== "string" || hasValidation(rest)) break;
      if (seen.has(next)) unsupported(path, `"${ref}" refers to itself without a schema in between`);
      seen.add(next);
      target = this.pointer(next, path).target;
    }
    return resolved;
  }

  /** "#", "#/$defs/…", "#/definitions/…" or any JSON pointer into this schema. */
  private pointer(ref: string, path: string): { target: unknown; targetPath: string } {
    if (ref !== "#" && !ref.startsWith("#/"))
      unsupported(path, `only local references ("#/$defs/…") are supported, not "${ref}"`);
    const segments = ref === "#" ? [] : ref.slice(2).split("/");
    let target: unknown = this.rootSchema;
    for (const raw of segments) {
      const segment = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
      const container = target;
      target = isSchemaObject(container) && Object.hasOwn(container, segment) ? container[segment] : undefined;
      if (target === undefined) unsupported(path, `"${ref}" points at nothing`);
    }
    return { target, targetPath: segments.join(".") };
  }

  /** allOf with its siblings as one schema; member `$ref`s are followed (depth counts, so cycles end). */
  private mergedAllOf(schema: SchemaObject, path: string, depth: number): SchemaObject {
    const { allOf, ...siblings } = schema;
    if (!Array.isArray(allOf) || allOf.length === 0) unsupported(childPath(path, "allOf"), "must be a non-empty array");
    const members = [siblings, ...allOf].map((member, index) =>
      this.dereferenced(member, index === 0 ? path : childPath(path, "allOf", index - 1), depth),
    );
    return mergeSchemas(members, path);
  }

  private dereferenced(member: unknown, path: string, depth: number): SchemaObject {
    if (depth > MAX_SCHEMA_DEPTH) unsupported(path, `nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
    if (member === true) return {};
    if (!isSchemaObject(member)) return unsupported(path, "an allOf member must be a schema object");
    if (!("$ref" in member)) return member;
    const { $ref: ref, ...siblings } = member;
    if (typeof ref !== "string") unsupported(childPath(path, "$ref"), "must be a string");
    const { target, targetPath } = this.resolve(ref, childPath(path, "$ref"));
    const resolved = this.dereferenced(target, targetPath, depth + 1);
    return hasValidation(siblings) ? { allOf: [resolved, siblings] } : resolved;
  }

  private alternativesExpression(schema: SchemaObject, path: string, depth: number): string {
    const key = "anyOf" in schema ? "anyOf" : "oneOf";
    const { [key]: list, ...siblings } = schema;
    if (!Array.isArray(list) || list.length === 0) unsupported(childPath(path, key), "must be a non-empty array");
    const shared = hasValidation(siblings);
    const written: { index: number; rule: string }[] = [];
    let unsatisfied: UnsatisfiableSchemaError | undefined;
    list.forEach((alternative, index) => {
      const schemaOf = shared ? { allOf: [siblings, alternative] } : alternative;
      const rule = this.unlessUnsatisfiable(() => this.rule(schemaOf, childPath(path, key, index), depth + 1));
      if (rule instanceof UnsatisfiableSchemaError) unsatisfied ??= rule;
      else written.push({ index, rule });
    });
    if (written.length === 0 && unsatisfied) throw unsatisfied;
    if (key === "oneOf") {
      const kept = written.map(({ index }) => ({ index, schema: list[index] }));
      this.requireDisjoint(kept, shared ? siblings : undefined, path, depth);
    }
    return [...new Set(written.map(({ rule }) => rule))].join(" | ");
  }

  /** Runs `write`; if what it writes is unsatisfiable, the rules go back to how they were and the error is returned. */
  private unlessUnsatisfiable<T>(write: () => T): T | UnsatisfiableSchemaError {
    const rules = new Map(this.rules);
    const refRules = new Map(this.refRules);
    const counter = this.counter;
    try {
      return write();
    } catch (error) {
      if (!(error instanceof UnsatisfiableSchemaError)) throw error;
      this.rules.clear();
      for (const [name, body] of rules) this.rules.set(name, body);
      this.refRules.clear();
      for (const [ref, name] of refRules) this.refRules.set(ref, name);
      this.counter = counter;
      return error;
    }
  }

  /** oneOf written as alternatives is only exact when no value matches two of them. */
  private requireDisjoint(
    alternatives: { index: number; schema: unknown }[],
    siblings: SchemaObject | undefined,
    path: string,
    depth: number,
  ): void {
    const schemas = alternatives.map(({ index, schema }) => {
      const at = childPath(path, "oneOf", index);
      const own = this.dereferenced(schema, at, depth + 1);
      return { index, schema: siblings ? mergeSchemas([siblings, own], at) : own };
    });
    for (const [i, a] of schemas.entries())
      for (const b of schemas.slice(i + 1))
        if (!provablyDisjoint(a.schema, b.schema))
          unsupported(
            childPath(path, "oneOf"),
            `alternatives ${a.index} and ${b.index} may both match a value (oneOf needs exactly one); use anyOf if either will do`,
          );
  }

  private valuesExpression(schema: SchemaObject, path: string): string {
    const { const: constant, enum: list, ...rest } = schema;
    if ("enum" in schema && !Array.isArray(list)) unsupported(childPath(path, "enum"), "must be an array");
    const at = childPath(path, "const" in schema ? "const" : "enum");
    let values = "const" in schema ? [constant] : (list as unknown[]);
    if ("const" in schema && Array.isArray(list)) {
      const allowed = new Set(list.map((value) => schemaValueJson(value, childPath(path, "enum"))));
      values = values.filter((value) => allowed.has(schemaValueJson(value, at)));
    }
    const fitting = values.filter((value) => this.valueFits(value, rest));
    if (fitting.length === 0) unsatisfiable(at, "no listed value also matches the rest of the schema");
    return [...new Set(fitting.map((value) => gbnfLiteral(schemaValueJson(value, at))))].join(" | ");
  }

  /** Whether an enum/const value passes the schema's other keywords that the grammar would otherwise enforce. */
  private valueFits(value: unknown, schema: SchemaObject): boolean {
    const types = this.typesOf(schema, "");
    const kind =
      value === null
        ? "null"
        : Array.isArray(value)
          ? "array"
          : typeof value === "number" && Number.isInteger(value)
            ? "integer"
            : typeof value;
    if (types && !types.includes(kind) && !(kind === "integer" && types.includes("number"))) return false;
    if (typeof value === "string") {
      const length = [...value].length;
      if (typeof schema.minLength === "number" && length < schema.minLength) return false;
      if (typeof schema.maxLength === "number" && length > schema.maxLength) return false;
    }
    if (typeof value === "number") {
      if (typeof schema.minimum === "number" && value < schema.minimum) return false;
      if (typeof schema.maximum === "number" && value > schema.maximum) return false;
      if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) return false;
      if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) return false;
    }
    return true;
  }

  /** The schema's types: `type` as listed (number absorbing integer), else inferred from its keywords. */
  private typesOf(schema: SchemaObject, path: string): string[] | undefined {
    if (!("type" in schema)) {
      const inferred = Object.keys(TYPE_KEYWORDS).filter((type) =>
        TYPE_KEYWORDS[type]?.some((keyword) => keyword in schema),
      );
      return inferred.length > 0 ? inferred : undefined;
    }
    const list = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (list.length === 0 || !list.every((type) => typeof type === "string"))
      unsupported(childPath(path, "type"), "must be a type name or a non-empty list of them");
    const types = [...new Set(list as string[])];
    return types.includes("number") ? types.filter((type) => type !== "integer") : types;
  }

  private typedExpression(schema: SchemaObject, path: string, depth: number): string {
    const types = this.typesOf(schema, path);
    if (!types) return this.primitive("value");
    return types
      .map((type) => {
        const expression = this.typeExpression(type, schema, path, depth);
        return types.length > 1 && expression.includes("|") ? this.addRule(expression) : expression;
      })
      .join(" | ");
  }

  private typeExpression(type: string, schema: SchemaObject, path: string, depth: number): string {
    switch (type) {
      case "string":
        return this.stringExpression(schema, path);
      case "integer":
        return this.integerExpression(schema, path);
      case "number":
        return this.numberExpression(schema, path);
      case "boolean":
        return this.primitive("boolean");
      case "null":
        return this.primitive("null");
      case "object":
        return this.objectExpression(schema, path, depth);
      case "array":
        return this.arrayExpression(schema, path, depth);
      default:
        return unsupported(childPath(path, "type"), `unknown type "${type}"`);
    }
  }

  /** A non-negative integer keyword (minLength, maxItems…), or undefined when absent. */
  private count(schema: SchemaObject, key: string, path: string): number | undefined {
    const value = schema[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
      unsupported(childPath(path, key), "must be a non-negative integer");
    return value;
  }

  private stringExpression(schema: SchemaObject, path: string): string {
    const min = this.count(schema, "minLength", path);
    const max = this.count(schema, "maxLength", path);
    if (min !== undefined && max !== undefined && min > max)
      unsatisfiable(childPath(path, "minLength"), "no string length satisfies minLength and maxLength");
    const format = typeof schema.format === "string" ? stringFormatGbnf(schema.format) : undefined;
    if (format) {
      if (min !== undefined || max !== undefined)
        unsupported(childPath(path, "format"), "format together with minLength/maxLength is not supported");
      return `"\\"" ${format} "\\""`;
    }
    if (min === undefined && max === undefined) return this.primitive("string");
    return `"\\"" ${gbnfRepeat(this.primitive("char"), min ?? 0, max)} "\\""`;
  }

  /** A numeric bound keyword as a finite number, or undefined when absent. */
  private bound(schema: SchemaObject, key: string, path: string): number | undefined {
    const value = schema[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value))
      unsupported(childPath(path, key), "must be a finite number (the draft-04 boolean form is not supported)");
    return value;
  }

  private integerExpression(schema: SchemaObject, path: string): string {
    const bounds = ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"].map((key) =>
      this.bound(schema, key, path),
    );
    const [minimum, exclusiveMinimum, maximum, exclusiveMaximum] = bounds;
    if (bounds.every((bound) => bound === undefined)) return this.primitive("integer");
    const lows: bigint[] = [];
    if (minimum !== undefined) lows.push(BigInt(Math.ceil(minimum)));
    if (exclusiveMinimum !== undefined) lows.push(BigInt(Math.floor(exclusiveMinimum)) + 1n);
    const highs: bigint[] = [];
    if (maximum !== undefined) highs.push(BigInt(Math.floor(maximum)));
    if (exclusiveMaximum !== undefined) highs.push(BigInt(Math.ceil(exclusiveMaximum)) - 1n);
    let min = lows.sort((a, b) => (a < b ? 1 : -1))[0];
    let max = highs.sort((a, b) => (a < b ? -1 : 1))[0];
    // Only integers of up to 15 digits are written (exact in a double): a bound beyond that on the far side is moot.
    if (max !== undefined && max > INTEGER_LIMIT) max = undefined;
    if (min !== undefined && min < -INTEGER_LIMIT) min = undefined;
    if ((min ?? 0n) > INTEGER_LIMIT || (max ?? 0n) < -INTEGER_LIMIT)
      unsupported(path, "integers beyond 15 digits are not supported");
    const alternatives = integerAlternatives(min, max);
    if (alternatives.length === 0) unsatisfiable(path, "no integer satisfies the minimum and maximum");
    return alternatives.join(" | ");
  }

  /** Number bounds must be integers: then the range is exact (a fractional bound cannot be enforced exactly). */
  private numberBound(schema: SchemaObject, inclusive: string, exclusive: string, path: string): Bound | undefined {
    const candidates: Bound[] = [];
    for (const key of [inclusive, exclusive]) {
      const value = this.bound(schema, key, path);
      if (value === undefined) continue;
      if (!Number.isInteger(value))
        unsupported(childPath(path, key), "a non-integer bound on a number cannot be enforced exactly");
      candidates.push({ value: BigInt(value), exclusive: key === exclusive });
    }
    const lower = inclusive === "minimum";
    return candidates.reduce<Bound | undefined>((tightest, bound) => {
      if (!tightest || bound.value === tightest.value) return tightest?.exclusive ? tightest : bound;
      return lower === bound.value > tightest.value ? bound : tightest;
    }, undefined);
  }

  private numberExpression(schema: SchemaObject, path: string): string {
    let min = this.numberBound(schema, "minimum", "exclusiveMinimum", path);
    let max = this.numberBound(schema, "maximum", "exclusiveMaximum", path);
    if (!min && !max) return this.primitive("number");
    if (max && max.value > INTEGER_LIMIT) max = undefined;
    if (min && min.value < -INTEGER_LIMIT) min = undefined;
    if ((min?.value ?? 0n) > INTEGER_LIMIT || (max?.value ?? 0n) < -INTEGER_LIMIT)
      unsupported(path, "numbers beyond 15 digits are not supported");
    const alternatives = numberAlternatives(min, max);
    if (alternatives.length === 0) unsatisfiable(path, "no number satisfies the minimum and maximum");
    return alternatives.join(" | ");
  }

  private objectExpression(schema: SchemaObject, path: string, depth: number): string {
    const { properties = {}, required = [], additionalProperties: extra } = schema;
    if (!isSchemaObject(properties)) unsupported(childPath(path, "properties"), "must be an object");
    if (!Array.isArray(required) || !required.every((name) => typeof name === "string"))
      unsupported(childPath(path, "required"), "must be a list of property names");
    if (!("properties" in schema) && !("required" in schema) && extra === undefined) return this.primitive("object");
    if (extra !== undefined && typeof extra !== "boolean" && !isSchemaObject(extra))
      unsupported(childPath(path, "additionalProperties"), "must be a boolean or a schema");
    const names = Object.keys(properties);
    for (const name of required as string[]) {
      if (names.includes(name)) continue;
      if (extra === false)
        unsatisfiable(childPath(path, "required"), `"${name}" is required but additionalProperties is false`);
      names.push(name);
    }
    // An optional property no value satisfies (e.g. `false`) is simply never written; a required one is refused.
    const members = names.flatMap((name): ObjectMember[] => {
      const own = Object.hasOwn(properties, name);
      const isRequired = required.includes(name);
      const write = () =>
        this.rule(
          own ? properties[name] : (extra ?? true),
          own ? childPath(path, "properties", name) : childPath(path, "additionalProperties"),
          depth + 1,
        );
      const valueRule = isRequired ? write() : this.unlessUnsatisfiable(write);
      if (valueRule instanceof UnsatisfiableSchemaError) return [];
      return [{ gbnf: `${gbnfLiteral(`${JSON.stringify(name)}:`)} ${valueRule}`, required: isRequired }];
    });
    const extraMember =
      extra === undefined || extra === false
        ? undefined
        : `${this.keyExcluding(names)} ":" ${this.rule(extra, childPath(path, "additionalProperties"), depth + 1)}`;
    return objectGbnf(members, extraMember, (body) => this.addRule(body));
  }

  /** A rule for an object key that is none of `names` (so an extra key never repeats or shadows a listed one). */
  private keyExcluding(names: readonly string[]): string {
    if (names.length === 0) return this.primitive("string");
    const base = `key${++this.counter}`;
    const built = stringExcludingRules(names, (local) => this.ruleName(`${base}${local}`), this.primitive("strrest"));
    for (const rule of built.rules) this.rules.set(rule.name, rule.body);
    return built.root;
  }

  private arrayExpression(schema: SchemaObject, path: string, depth: number): string {
    const tuple = Array.isArray(schema.prefixItems) ? "prefixItems" : Array.isArray(schema.items) ? "items" : undefined;
    const prefixSchemas = tuple ? (schema[tuple] as unknown[]) : [];
    const itemsKey = tuple === "items" ? "additionalItems" : "items";
    const itemsSchema = tuple ? schema[itemsKey] : (schema.items ?? true);
    const minItems = this.count(schema, "minItems", path) ?? 0;
    let maxItems = this.count(schema, "maxItems", path);
    const open = itemsSchema !== undefined && itemsSchema !== false;
    if (!open) maxItems = Math.min(maxItems ?? prefixSchemas.length, prefixSchemas.length);
    if (maxItems !== undefined && minItems > maxItems)
      unsatisfiable(childPath(path, "minItems"), "no array length satisfies minItems, maxItems and the items allowed");
    const used = maxItems === undefined ? prefixSchemas : prefixSchemas.slice(0, maxItems);
    const prefix = used.map((item, index) => this.rule(item, childPath(path, tuple ?? "items", index), depth + 1));
    const item = open && (maxItems === undefined || maxItems > prefix.length);
    const itemRule = item ? this.rule(itemsSchema, childPath(path, itemsKey), depth + 1) : undefined;
    return arrayGbnf(prefix, itemRule, minItems, maxItems);
  }
}

const PREFIX = /^[a-z0-9-]+$/;

/**
 * GBNF rules for values matching `schema`; rule names all start with `prefix` (lowercase letters, digits and '-'),
 * so several schemas can live in one grammar. `root` is the name of the rule for the schema's value.
 */
export function jsonSchemaRules(schema: unknown, prefix: string): { root: string; rules: string[] } {
  if (!PREFIX.test(prefix)) throw new TypeError(`rule prefix "${prefix}": use lowercase letters, digits and '-'`);
  return new GrammarBuilder(schema, prefix).build();
}

/** A whole grammar (`root ::= …` plus the rules) for one schema: what response_format json_schema uses. */
export function jsonSchemaGrammar(schema: unknown): string {
  const { root, rules } = jsonSchemaRules(schema, "schema");
  return [`root ::= ${root}`, ...rules].join("\n");
}
