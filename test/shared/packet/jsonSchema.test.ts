import { describe, expect, it } from "@jest/globals";
import { type JsonSchemaDocument, PACKET_SCHEMA_ID, packetJsonSchema } from "../../../shared/packet/index.js";
import { REQUIRED_PACKET_FIELDS } from "../../fixtures/packets.js";

function def(schema: JsonSchemaDocument, name: string): JsonSchemaDocument {
  const found = schema.$defs?.[name];
  if (typeof found !== "object") throw new Error(`no $defs.${name}`);
  return found;
}

describe("packetJsonSchema", () => {
  it("is plain JSON that survives a JSON round trip", () => {
    const schema = packetJsonSchema();
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it("states its dialect, $id and title", () => {
    const schema = packetJsonSchema();
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe(PACKET_SCHEMA_ID);
    expect(schema.title).toBe("CognitionPacket");
    expect(schema.type).toBe("object");
  });

  it("lists the original's required top-level fields as required, and only those", () => {
    expect(packetJsonSchema().required).toEqual([...REQUIRED_PACKET_FIELDS]);
  });

  it("describes the input side: defaulted fields are optional and carry their default", () => {
    const schema = packetJsonSchema();
    const header = def(schema, "Header");
    expect(header.required).toEqual([
      "datetime",
      "session_id",
      "packet_id",
      "sub_id",
      "persona",
      "origin",
      "routing",
      "model",
    ]);
    expect(header.properties?.lineage).toMatchObject({ default: [], type: "array" });
    expect(def(schema, "Routing").properties?.priority).toMatchObject({ default: 5, type: "integer" });
    expect(def(schema, "Reasoning").required ?? []).toEqual([]);
  });

  it("has one $defs entry per section, enums listing their values, and allows unknown keys", () => {
    const schema = packetJsonSchema();
    expect(Object.keys(schema.$defs ?? {})).toEqual(
      expect.arrayContaining([
        "Header",
        "Persona",
        "Content",
        "Governance",
        "Metrics",
        "TokenUsage",
        "ToolRoutingState",
      ]),
    );
    expect(def(schema, "Header").properties?.origin).toEqual({
      type: "string",
      enum: ["user", "system", "agent", "sidecar"],
    });
    expect(def(schema, "Persona").additionalProperties).toEqual({});
    expect(schema.additionalProperties).toEqual({});
  });

  it("is built once and cannot be changed by a caller", () => {
    const schema = packetJsonSchema();
    expect(packetJsonSchema()).toBe(schema);
    expect(Object.isFrozen(schema)).toBe(true);
    expect(Object.isFrozen(def(schema, "Header"))).toBe(true);
  });
});
