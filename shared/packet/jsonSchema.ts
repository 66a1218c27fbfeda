/**
 * The packet's JSON Schema, generated from the zod source, so clients can validate a packet
 * before sending it. Input side: fields with defaults are optional, as they are on the wire.
 */
import { z } from "zod";
import { CognitionPacketSchema, packetSections } from "./schema.js";

/** The `$id` of the published schema. Like the original's `schema_id` URLs, it names the schema; nothing is served there. */
export const PACKET_SCHEMA_ID = "https://gaia.local/schemas/cognition_packet.schema.json";

/** A JSON Schema document (plain JSON: no functions, no undefined). */
export type JsonSchemaDocument = z.core.JSONSchema.BaseSchema;

let cached: JsonSchemaDocument | undefined;

/** The JSON Schema of a CognitionPacket (draft 2020-12), one `$defs` entry per section; built once, frozen. */
export function packetJsonSchema(): JsonSchemaDocument {
  cached ??= deepFreeze(buildSchema());
  return cached;
}

function buildSchema(): JsonSchemaDocument {
  const { $schema, ...generated } = z.toJSONSchema(CognitionPacketSchema, {
    io: "input",
    metadata: packetSections,
    target: "draft-2020-12",
  });
  return {
    $schema,
    $id: PACKET_SCHEMA_ID,
    title: "CognitionPacket",
    description:
      "GAIA CognitionPacket as gaia-core accepts it: the fields of the original cognition_packet.py (versions 0.2 to 0.5). " +
      "Unknown keys are allowed at every level and are returned unchanged.",
    ...generated,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
