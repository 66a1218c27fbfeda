import { UnsupportedSchemaError } from "./UnsupportedSchemaError.js";

/**
 * A schema (or part of one) that no value satisfies, e.g. minimum above maximum or allOf members with no common type.
 * An anyOf/oneOf alternative like that is simply never written; anywhere else it is refused like any unsupported schema.
 */
export class UnsatisfiableSchemaError extends UnsupportedSchemaError {
  override readonly name = "UnsatisfiableSchemaError";
}
