import { createHash } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import {
  type CognitionPacket,
  ContentSchema,
  computeHashes,
  HeaderSchema,
  PyFloat,
  parsePacket,
  pythonFloatRepr,
  pythonJsonDumps,
  toDataclassValue,
  withHashes,
} from "../../../shared/packet/index.js";
import {
  GATEWAY_CONTENT_HASH,
  GATEWAY_HEADER_HASH,
  gatewayPacket,
  minimalPacket,
  v05Packet,
} from "../../fixtures/packets.js";

// Expected strings and hashes below were produced by CPython 3.11's json.dumps(obj, sort_keys=True) on the dict the
// original's dataclass to_dict() gives, then checked by reasoning about json's encoder.

function parsed(body: unknown): CognitionPacket {
  const result = parsePacket(body);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.packet;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

describe("pythonJsonDumps", () => {
  it("prints like json.dumps(sort_keys=True): ', ' and ': ' separators, sorted keys, nested null/[]/{} kept", () => {
    expect(pythonJsonDumps({ original_prompt: "Hello", data_fields: [], attachments: [] })).toBe(
      '{"attachments": [], "data_fields": [], "original_prompt": "Hello"}',
    );
    expect(pythonJsonDumps({ b: { d: null, c: {} }, a: [true, false, null] })).toBe(
      '{"a": [true, false, null], "b": {"c": {}, "d": null}}',
    );
  });

  it("escapes non-ASCII as \\uXXXX (lowercase hex), astral characters as surrogate pairs", () => {
    expect(pythonJsonDumps("café")).toBe('"caf\\u00e9"');
    expect(pythonJsonDumps("😀")).toBe('"\\ud83d\\ude00"');
    expect(pythonJsonDumps("Zoë ÆØÅ")).toBe('"Zo\\u00eb \\u00c6\\u00d8\\u00c5"');
  });

  it("escapes quotes, backslashes and control characters as Python does, and leaves '/' alone", () => {
    expect(pythonJsonDumps('"q" \\ \n \r \t \b \f \u0001 \u001f \u007f / ~')).toBe(
      '"\\"q\\" \\\\ \\n \\r \\t \\b \\f \\u0001 \\u001f \\u007f / ~"',
    );
  });

  it("sorts keys by code point, not by UTF-16 unit", () => {
    expect(pythonJsonDumps({ "\uff01": 1, "😀": 2, b: 3, B: 4, "": 5 })).toBe(
      '{"": 5, "B": 4, "b": 3, "\\uff01": 1, "\\ud83d\\ude00": 2}',
    );
  });

  it("prints plain numbers as the JSON literal Python parsed: integers as ints, others as floats", () => {
    expect(pythonJsonDumps([1, -7, 0, 100, 0.5, 2.5e-7, 0.1])).toBe("[1, -7, 0, 100, 0.5, 2.5e-07, 0.1]");
  });

  it("refuses values JSON cannot carry, as Python's json.dumps does", () => {
    expect(() => pythonJsonDumps({ n: 10n })).toThrow(TypeError);
    expect(() => pythonJsonDumps([() => 1])).toThrow("not JSON serializable");
  });

  it("prints PyFloat in repr form", () => {
    expect(pythonJsonDumps([new PyFloat(1), new PyFloat(0), new PyFloat(0.7)])).toBe("[1.0, 0.0, 0.7]");
  });
});

describe("pythonFloatRepr", () => {
  // Each pair is [JS number, CPython repr(float)].
  it.each<[number, string]>([
    [0, "0.0"],
    [-0, "-0.0"],
    [1, "1.0"],
    [-2, "-2.0"],
    [0.7, "0.7"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1 / 3, "0.3333333333333333"],
    [0.0001, "0.0001"],
    [0.00009999, "9.999e-05"],
    [1e-5, "1e-05"],
    [2.5e-7, "2.5e-07"],
    [5e-324, "5e-324"],
    [123.456, "123.456"],
    [1e15, "1000000000000000.0"],
    [9999999999999998, "9999999999999998.0"],
    [1e16, "1e+16"],
    [2 ** 53, "9007199254740992.0"],
    [1.2345678901234568e17, "1.2345678901234568e+17"], // 123456789012345678 as a double
    [1e21, "1e+21"],
    [1e22, "1e+22"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [-1.5e-10, "-1.5e-10"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [NaN, "NaN"],
  ])("repr(%p) is %s", (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected);
  });
});

describe("computeHashes", () => {
  it("matches the original's content hash of the minimal packet", () => {
    const packet = parsed(minimalPacket());
    expect(pythonJsonDumps(toDataclassValue(ContentSchema, packet.content))).toBe(
      '{"attachments": [], "data_fields": [], "original_prompt": "Hello"}',
    );
    const hashes = computeHashes(packet);
    expect(hashes.content_hash).toBe("86328434eed16709b85319c47fc7d5caf8ebea63ca46c8bf866e0a0e1735df26");
  });

  it("matches the header and content vectors of the gateway packet", () => {
    expect(computeHashes(parsed(gatewayPacket()))).toEqual({
      header_hash: "bbeff85e5ef3f151645c99986baece9682c1fe9c845eb0cc16af5445f6d3329d",
      content_hash: "d61423ce802d26910b9fd2ce88970a07c0a7a6b032bb84929cda624b447f2b63",
    });
    expect(GATEWAY_HEADER_HASH).toBe("bbeff85e5ef3f151645c99986baece9682c1fe9c845eb0cc16af5445f6d3329d");
    expect(GATEWAY_CONTENT_HASH).toBe("d61423ce802d26910b9fd2ce88970a07c0a7a6b032bb84929cda624b447f2b63");
  });

  it("hashes only declared fields: unknown keys and the v0.5 sections are not part of the dataclass", () => {
    const packet = parsed(v05Packet());
    expect(computeHashes(packet)).toEqual({
      header_hash: "a9f60856818312d24bbe7aec10d8fac022d6ed8f7096823e54507d5e95342b56",
      content_hash: "14ec752790b2eb480cc26f57097482c93d23f8a432d161adf648c1dd61765078",
    });
    const withExtras = parsed(
      gatewayPacket((p) => {
        Object.assign(p.header, { trace: "t" });
        Object.assign(p.header.persona, { voice: "aria" });
        Object.assign(p.content, { extra: 1, audio_payloads: [{ format: "wav" }], timeline: [] });
        Object.assign(p.content.data_fields[0] ?? {}, { weight: 0.5 });
      }),
    );
    expect(computeHashes(withExtras)).toEqual(computeHashes(parsed(gatewayPacket())));
  });

  it("prints float fields as Python floats (an int on the wire becomes 1.0) and Any values as parsed", () => {
    const packet = parsed(
      gatewayPacket((p) => {
        p.header.model.temperature = 1;
        p.header.model.top_p = 1e-5;
        if (p.header.operational_status) p.header.operational_status.confidence = 0;
        p.header.persona.traits = {
          warmth: 1,
          ratio: 0.5,
          "\uff01": "fullwidth",
          "😀": "emoji",
          nested: { b: [1, 2.5e-7, null, true], a: "café" },
        };
      }),
    );
    const canonical = pythonJsonDumps(toDataclassValue(HeaderSchema, packet.header));
    expect(canonical).toContain('"temperature": 1.0');
    expect(canonical).toContain('"top_p": 1e-05');
    expect(canonical).toContain('"confidence": 0.0');
    expect(canonical).toContain(
      '"traits": {"nested": {"a": "caf\\u00e9", "b": [1, 2.5e-07, null, true]}, "ratio": 0.5, "warmth": 1, ' +
        '"\\uff01": "fullwidth", "\\ud83d\\ude00": "emoji"}',
    );
    expect(computeHashes(packet).header_hash).toBe("4306145313359c68c7900e6e9d40612ebfa29a11f60e81b045b426fd85dc1a8d");
  });

  it("matches Python for a content with escapes, attachments and nested Any values", () => {
    const packet = parsed(
      minimalPacket({
        content: {
          original_prompt: 'café 😀 "quoted" back\\slash\nnew\ttab \u007f \u0001 /',
          data_fields: [{ key: "k", value: { z: 1, y: [0.1, 100] } }],
          attachments: [{ name: "a.txt", mime: "text/plain", content_hash: "x", bytes: 12 }],
        },
      }),
    );
    const canonical = pythonJsonDumps(toDataclassValue(ContentSchema, packet.content));
    expect(canonical).toBe(
      '{"attachments": [{"bytes": 12, "content_hash": "x", "location": null, "mime": "text/plain", "name": "a.txt"}], ' +
        '"data_fields": [{"key": "k", "source": null, "type": null, "value": {"y": [0.1, 100], "z": 1}, "vector_refs": []}], ' +
        '"original_prompt": "caf\\u00e9 \\ud83d\\ude00 \\"quoted\\" back\\\\slash\\nnew\\ttab \\u007f \\u0001 /"}',
    );
    expect(sha256(canonical)).toBe("a4774fb18a164a85d364ab880deff1dd84dabc8707e100360a1db9b36b45a709");
    expect(computeHashes(packet).content_hash).toBe("a4774fb18a164a85d364ab880deff1dd84dabc8707e100360a1db9b36b45a709");
  });

  it("does not depend on the response, status or signatures (only header and content are hashed)", () => {
    const packet = parsed(gatewayPacket());
    const done = parsed(
      gatewayPacket((p) => {
        p.response.candidate = "Hello!";
        p.status.state = "completed";
        p.governance.signatures.header_hash = null;
      }),
    );
    expect(computeHashes(done)).toEqual(computeHashes(packet));
  });
});

describe("withHashes", () => {
  it("returns a copy with the signatures filled and leaves the input alone", () => {
    const packet = parsed(minimalPacket());
    const signed = withHashes(packet);
    expect(packet.governance.signatures.header_hash).toBeNull();
    expect(signed.governance.signatures).toEqual({
      ...computeHashes(packet),
      signed_by: null,
      signature: null,
    });
    expect(signed.governance.signatures.content_hash).toBe(
      "86328434eed16709b85319c47fc7d5caf8ebea63ca46c8bf866e0a0e1735df26",
    );
  });

  it("keeps unknown keys of the signatures section", () => {
    const packet = parsed(gatewayPacket((p) => Object.assign(p.governance.signatures, { algorithm: "sha256" })));
    expect(withHashes(packet).governance.signatures.algorithm).toBe("sha256");
  });
});
