/** The CognitionPacket wire contract: schema, validation, hashes and JSON Schema. */
export * from "./bounds.js";
export * from "./enums.js";
export {
  computeHashes,
  type PacketHashes,
  PyFloat,
  type PyJson,
  pythonFloatRepr,
  pythonJsonDumps,
  toDataclassValue,
  withHashes,
} from "./hashes.js";
export { type JsonLimitViolation, jsonLimitViolation, MAX_JSON_DEPTH, MAX_JSON_VALUES } from "./jsonLimits.js";
export { type JsonSchemaDocument, PACKET_SCHEMA_ID, packetJsonSchema } from "./jsonSchema.js";
export * from "./schema.js";
export {
  formatPath,
  formatProblem,
  MAX_LISTED_PROBLEMS,
  type PacketParseResult,
  type PacketProblem,
  parsePacket,
} from "./validate.js";
