/**
 * allOf as one schema: the members' keywords merged so that a value valid for the merge is valid for every member.
 * Object members merge fully (properties united, required united, additionalProperties: false respected); bounds take
 * the tighter side; anything else two members both set must agree, or the merge is refused.
 */

import { childPath, isSchemaObject, type SchemaObject, schemaValueJson } from "./schemaJson.js";
import { UnsatisfiableSchemaError } from "./UnsatisfiableSchemaError.js";
import { UnsupportedSchemaError } from "./UnsupportedSchemaError.js";

const LOWER_BOUNDS = new Set(["minimum", "exclusiveMinimum", "minLength", "minItems"]);
const UPPER_BOUNDS = new Set(["maximum", "exclusiveMaximum", "maxLength", "maxItems"]);
/** Keywords whose value is a schema: two members' schemas combine into an allOf of both. */
const SUBSCHEMAS = new Set(["items", "additionalItems"]);
const ANNOTATIONS = new Set(["description", "title", "default", "examples", "$comment", "$id", "$schema", "strict"]);

function typeList(type: unknown, path: string): string[] {
  const list = Array.isArray(type) ? type : [type];
  if (!list.every((item) => typeof item === "string")) throw new UnsupportedSchemaError(path, "not a type name");
  return list as string[];
}

function intersectTypes(a: unknown, b: unknown, path: string): string[] {
  const left = typeList(a, path);
  const right = typeList(b, path);
  const both = left.filter((type) => right.includes(type) || (type === "integer" && right.includes("number")));
  for (const type of right) if (type === "integer" && left.includes("number") && !both.includes(type)) both.push(type);
  if (both.length === 0) throw new UnsatisfiableSchemaError(path, "allOf members allow no common type");
  return both;
}

function unite(a: SchemaObject, b: SchemaObject, path: string): SchemaObject {
  const properties: SchemaObject = { ...a };
  for (const [name, schema] of Object.entries(b)) {
    const existing = Object.hasOwn(properties, name) ? properties[name] : undefined;
    const value =
      existing === undefined || schemaValueJson(existing, path) === schemaValueJson(schema, path)
        ? schema
        : { allOf: [existing, schema] };
    // defineProperty, not assignment: a property named "__proto__" must stay a property
    Object.defineProperty(properties, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return properties;
}

/** The merged value of `key` that both members set. */
function combine(key: string, a: unknown, b: unknown, path: string): unknown {
  const at = childPath(path, key);
  if (key === "properties") {
    if (!isSchemaObject(a) || !isSchemaObject(b)) throw new UnsupportedSchemaError(at, "must be an object");
    return unite(a, b, at);
  }
  if (key === "required") return [...new Set([...(a as unknown[]), ...(b as unknown[])])];
  if (key === "type") return intersectTypes(a, b, at);
  if (LOWER_BOUNDS.has(key) && typeof a === "number" && typeof b === "number") return Math.max(a, b);
  if (UPPER_BOUNDS.has(key) && typeof a === "number" && typeof b === "number") return Math.min(a, b);
  if (key === "enum" && Array.isArray(a) && Array.isArray(b)) {
    const right = new Set(b.map((value) => schemaValueJson(value, at)));
    return a.filter((value) => right.has(schemaValueJson(value, at)));
  }
  if (SUBSCHEMAS.has(key)) return { allOf: [a, b] };
  if (ANNOTATIONS.has(key) || schemaValueJson(a, at) === schemaValueJson(b, at)) return a;
  if (key === "const") throw new UnsatisfiableSchemaError(at, "allOf members require different values");
  throw new UnsupportedSchemaError(at, `allOf members set "${key}" differently`);
}

/** additionalProperties across members: a member's `false` forbids the other members' extra property names. */
function applyClosedMembers(merged: SchemaObject, members: readonly SchemaObject[], path: string): void {
  const properties = isSchemaObject(merged.properties) ? { ...merged.properties } : undefined;
  const required = Array.isArray(merged.required) ? merged.required : [];
  const open = members.filter((member) => member.additionalProperties !== undefined);
  if (open.some((member) => isSchemaObject(member.additionalProperties)) && members.some((m) => "properties" in m))
    throw new UnsupportedSchemaError(childPath(path, "allOf"), "additionalProperties as a schema cannot be merged");
  for (const member of members) {
    if (member.additionalProperties !== false || !properties) continue;
    const own = isSchemaObject(member.properties) ? member.properties : {};
    for (const name of Object.keys(properties)) {
      if (Object.hasOwn(own, name)) continue;
      if (required.includes(name))
        throw new UnsatisfiableSchemaError(childPath(path, "allOf"), `"${name}" is required but a member forbids it`);
      delete properties[name];
    }
  }
  if (properties) merged.properties = properties;
  const extras = open.map((member) => member.additionalProperties);
  if (extras.includes(false)) merged.additionalProperties = false;
  else if (extras.length > 0) merged.additionalProperties = extras.find((extra) => extra !== true) ?? true;
}

/** One schema equivalent to (or stricter than) all of `members`, each already dereferenced. */
export function mergeSchemas(members: readonly SchemaObject[], path: string): SchemaObject {
  const merged: SchemaObject = {};
  for (const member of members)
    for (const [key, value] of Object.entries(member)) {
      if (key === "$defs" || key === "definitions" || key === "additionalProperties") continue;
      if (key === "anyOf" || key === "oneOf" || key === "allOf") {
        if (Object.hasOwn(merged, key))
          throw new UnsupportedSchemaError(childPath(path, "allOf"), `"${key}" in two allOf members`);
        merged[key] = value;
      } else {
        const combined = Object.hasOwn(merged, key) ? combine(key, merged[key], value, path) : value;
        Object.defineProperty(merged, key, { value: combined, enumerable: true, writable: true, configurable: true });
      }
    }
  applyClosedMembers(merged, members, path);
  return merged;
}
