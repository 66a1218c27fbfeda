/** The CognitionPacket wire contract: schema, validation, hashes and JSON Schema (SPEC §2, digest §1). */
export * from "./enums.js";
export * from "./schema.js";
export { parsePacket, formatProblem, formatPath, type PacketProblem, type PacketParseResult } from "./validate.js";
export {
  computeHashes,
  withHashes,
  pythonJsonDumps,
  pythonFloatRepr,
  toDataclassValue,
  PyFloat,
  type PyJson,
  type PacketHashes,
} from "./hashes.js";
export { packetJsonSchema, PACKET_SCHEMA_ID, type JsonSchemaDocument } from "./jsonSchema.js";
