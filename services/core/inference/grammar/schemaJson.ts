/** Reading JSON Schema values safely: plain-object checks and depth-bounded JSON text (never a stack overflow). */
import { UnsupportedSchemaError } from "./UnsupportedSchemaError.js";

export type SchemaObject = Record<string, unknown>;

/** Schemas (and values inside them) may nest at most this deep. */
export const MAX_SCHEMA_DEPTH = 64;

export function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "a.b" path segments, "" being the schema itself. */
export function childPath(path: string, ...segments: (string | number)[]): string {
  return [path, ...segments.map(String)].filter((part) => part !== "").join(".");
}

function depthExceeds(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (item.depth > limit) return true;
    if (typeof item.value === "object" && item.value !== null)
      for (const child of Object.values(item.value)) stack.push({ value: child, depth: item.depth + 1 });
  }
  return false;
}

/** JSON.stringify of a value found in a schema (enum, const), refused beyond MAX_SCHEMA_DEPTH levels. */
export function schemaValueJson(value: unknown, path: string): string {
  if (depthExceeds(value, MAX_SCHEMA_DEPTH))
    throw new UnsupportedSchemaError(path, `nested deeper than ${MAX_SCHEMA_DEPTH} levels`);
  const json = JSON.stringify(value);
  if (json === undefined) throw new UnsupportedSchemaError(path, "not a JSON value");
  return json;
}
