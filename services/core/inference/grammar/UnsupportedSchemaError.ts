/**
 * A JSON Schema no grammar can express, or that the converter does not support: `path` is where inside the schema,
 * dot-separated (e.g. "properties.age.pattern"; "" is the schema itself).
 */
export class UnsupportedSchemaError extends Error {
  override readonly name: string = "UnsupportedSchemaError";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path === "" ? "schema" : path}: ${message}`);
  }
}
