/**
 * oneOf means exactly one alternative matches, so the grammar may offer its alternatives side by side only when no value
 * can match two of them. This proves that for the shapes clients write (different types, different const/enum values,
 * discriminator properties, closed objects missing each other's required keys, different string formats); anything it
 * cannot prove is refused rather than hoped for.
 */
import { isSchemaObject, type SchemaObject } from "./schemaJson.js";

const ALL_KINDS = ["null", "boolean", "integer", "fraction", "string", "array", "object"];
const KNOWN_FORMATS = new Set(["date", "time", "date-time", "uuid"]);

function valueKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "fraction";
  return typeof value;
}

/** The listed values (const or enum) as JSON texts, or undefined when the schema lists none. */
function listedValues(schema: SchemaObject): Set<string> | undefined {
  if ("const" in schema) return new Set([JSON.stringify(schema.const)]);
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map((value) => JSON.stringify(value)));
  return undefined;
}

/** The kinds of value a schema may allow (integer and fraction split the JSON number type). */
function kinds(schema: SchemaObject): Set<string> {
  if ("const" in schema) return new Set([valueKind(schema.const)]);
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(valueKind));
  if (!("type" in schema) || "anyOf" in schema || "oneOf" in schema || "allOf" in schema || "$ref" in schema)
    return new Set(ALL_KINDS);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const result = new Set<string>();
  for (const type of types) {
    if (type === "number") result.add("integer").add("fraction");
    else if (typeof type === "string") result.add(type);
  }
  return result;
}

const disjointSets = (a: Set<string>, b: Set<string>) => [...a].every((item) => !b.has(item));

function propertiesOf(schema: SchemaObject): SchemaObject {
  return isSchemaObject(schema.properties) ? schema.properties : {};
}

/** A required key of `a` that `b` (closed) does not allow, or a shared required key with disjoint listed values. */
function objectsDisjoint(a: SchemaObject, b: SchemaObject): boolean {
  const requiredA = Array.isArray(a.required) ? (a.required as unknown[]) : [];
  const requiredB = Array.isArray(b.required) ? (b.required as unknown[]) : [];
  for (const name of requiredA) {
    if (typeof name !== "string") continue;
    if (b.additionalProperties === false && !Object.hasOwn(propertiesOf(b), name)) return true;
    const left = propertiesOf(a)[name];
    const right = propertiesOf(b)[name];
    if (!requiredB.includes(name) || !isSchemaObject(left) || !isSchemaObject(right)) continue;
    const leftValues = listedValues(left);
    const rightValues = listedValues(right);
    if (leftValues && rightValues && disjointSets(leftValues, rightValues)) return true;
  }
  return false;
}

/** Whether no value can be valid for both `a` and `b` (false: not proven). */
export function provablyDisjoint(a: unknown, b: unknown): boolean {
  if (!isSchemaObject(a) || !isSchemaObject(b)) return false;
  const kindsA = kinds(a);
  const kindsB = kinds(b);
  if (disjointSets(kindsA, kindsB)) return true;
  const valuesA = listedValues(a);
  const valuesB = listedValues(b);
  if (valuesA && valuesB && disjointSets(valuesA, valuesB)) return true;
  const shared = [...kindsA].filter((kind) => kindsB.has(kind));
  if (shared.every((kind) => kind === "object")) return objectsDisjoint(a, b) || objectsDisjoint(b, a);
  if (shared.every((kind) => kind === "string")) {
    const formats = [a.format, b.format];
    return formats.every((format) => typeof format === "string" && KNOWN_FORMATS.has(format)) && a.format !== b.format;
  }
  return false;
}
