/**
 * The original's `compute_hashes`, byte for byte:
 *   sha256(json.dumps(header.to_dict(), sort_keys=True)) and the same for content.
 * Python's `to_dict()` emits exactly the dataclass fields (unknown keys were dropped on decode), defaults expanded, and
 * float-typed fields hold Python floats (dataclasses-json turns an int 1 into 1.0). The zod schema knows which fields
 * those are, so the canonical value is projected by walking the schema alongside the packet.
 * No one verifies these hashes; they matter for parity with what GAIA computes.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { type CognitionPacket, ContentSchema, HeaderSchema, laterAdditions } from "./schema.js";

/** A number that Python holds as a float, so it prints in `repr` form ("1.0", "1e-05"). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/**
 * A value as Python's `json.dumps` sees it. A plain number is printed as Python would print the parsed JSON literal:
 * an integer if it is a safe integer, otherwise a float.
 */
export type PyJson =
  | null
  | boolean
  | number
  | string
  | PyFloat
  | readonly PyJson[]
  | { readonly [key: string]: PyJson };

/** Python's `json.dumps(value, sort_keys=True)` with default separators and `ensure_ascii=True`. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonJsonDumps(v)}`).join(", ")}}`;
  }
  // bigint, function, symbol: never in a JSON-decoded packet; Python's json.dumps raises here too.
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 or from 1e16, ".0" on whole numbers. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument gives the shortest digits that round-trip, as Python's repr does.
  const [mantissa = "", exponentText = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exp = `${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
    return `${sign}${mant}e${exp}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1) || "0";
  return `${sign}${whole}.${fraction}`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** A JSON string with `ensure_ascii`: everything outside space..~ escaped per UTF-16 unit, lowercase hex. */
function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const unit = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Python compares str by code point; JS's default sort compares UTF-16 units, which differs above U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done === cb.done ? 0 : ca.done ? -1 : 1;
    const diff = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
}

/**
 * The value Python's `dataclass.to_dict()` would give for `value` decoded as `schema`: declared fields only (no unknown
 * keys, no post-9f07904 additions), float fields marked as PyFloat, `Any` values passed through.
 */
export function toDataclassValue(schema: z.ZodType, value: unknown): PyJson {
  if (value === null || value === undefined) return null;
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isRecord(value)) {
    const out: Record<string, PyJson> = {};
    for (const [key, fieldSchema] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      if (laterAdditions.has(fieldSchema) || value[key] === undefined) continue;
      out[key] = toDataclassValue(fieldSchema, value[key]);
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    const element = inner.element as z.ZodType;
    return value.map((item: unknown) => toDataclassValue(element, item));
  }
  if (inner instanceof z.ZodNumber && typeof value === "number" && !isIntFormat(inner.format))
    return new PyFloat(value);
  return value as PyJson;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodNullable || current instanceof z.ZodOptional)
      current = current.unwrap() as z.ZodType;
    else return current;
  }
}

function isIntFormat(format: string | null): boolean {
  return format?.includes("int") ?? false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The two signatures the original computes. */
export interface PacketHashes {
  header_hash: string;
  content_hash: string;
}

/** `compute_hashes()` of a parsed (expanded) packet: SHA-256 hex of the canonical header and content. */
export function computeHashes(packet: Pick<CognitionPacket, "header" | "content">): PacketHashes {
  return {
    header_hash: sha256Hex(pythonJsonDumps(toDataclassValue(HeaderSchema, packet.header))),
    content_hash: sha256Hex(pythonJsonDumps(toDataclassValue(ContentSchema, packet.content))),
  };
}

/** A copy of the packet with `governance.signatures.header_hash/content_hash` recomputed; the input is not changed. */
export function withHashes<P extends CognitionPacket>(packet: P): P {
  const copy = structuredClone(packet);
  const hashes = computeHashes(copy);
  copy.governance.signatures = { ...copy.governance.signatures, ...hashes };
  return copy;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
