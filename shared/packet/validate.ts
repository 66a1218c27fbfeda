/**
 * Validating a request body as a CognitionPacket, with every problem listed by its JSON path (a body that is
 * not a packet is a 422 naming each problem, e.g. "version: required"), instead of the original's KeyError → HTTP 500.
 */
import { z } from "zod";
import { generationBoundProblems } from "./bounds.js";
import { jsonLimitViolation } from "./jsonLimits.js";
import { type CognitionPacket, CognitionPacketSchema } from "./schema.js";

/** One reason a body is not a packet: `path` is dotted with array indices ("context.cheatsheets.0.id"), or "(root)". */
export interface PacketProblem {
  path: string;
  message: string;
}

/** Problems listed in one answer: a body with 10^5 bad items must not get a problem document 10^5 entries long. */
export const MAX_LISTED_PROBLEMS = 50;

/**
 * The outcome of `parsePacket`: the expanded packet and the version it declared, or the first
 * {@link MAX_LISTED_PROBLEMS} problems found and how many there were in all (`problemCount`).
 */
export type PacketParseResult =
  | { ok: true; packet: CognitionPacket; version: string }
  | { ok: false; problems: PacketProblem[]; problemCount: number };

/** Parses a request body (already JSON-decoded) as a packet; never throws. */
export function parsePacket(body: unknown): PacketParseResult {
  // first, so that no value too deep to hash or store (or too many to validate cheaply) reaches the schema or the session
  const violation = jsonLimitViolation(body);
  if (violation) return failed([{ path: formatPath(violation.path), message: violation.message }]);
  const result = CognitionPacketSchema.safeParse(body, { error: wireMessage });
  if (result.success) {
    // the schema mirrors the original's field types; the bounds are checked on the parsed packet
    const problems = generationBoundProblems(result.data);
    if (problems.length > 0) return failed(problems);
    return { ok: true, packet: result.data, version: result.data.version };
  }
  const { issues } = result.error;
  return failed(issues.slice(0, MAX_LISTED_PROBLEMS).map(toProblem), issues.length);
}

function failed(problems: PacketProblem[], problemCount = problems.length): PacketParseResult {
  return { ok: false, problems: problems.slice(0, MAX_LISTED_PROBLEMS), problemCount };
}

/** "header.origin: expected one of user|system|agent|sidecar". */
export function formatProblem(problem: PacketProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/** Dotted path of an issue; "(root)" when the body itself is wrong. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map(String).join(".");
}

function toProblem(issue: z.core.$ZodIssue): PacketProblem {
  return { path: formatPath(issue.path), message: issue.message };
}

/**
 * Short messages for the common cases; anything else keeps zod's default (or the schema's own, as for enums).
 * Used only for this parse, so the schema stays usable with zod's defaults elsewhere.
 */
function wireMessage(issue: z.core.$ZodRawIssue): string | undefined {
  // JSON has no undefined: an undefined input is always a missing key, whatever the field's type (enums included).
  if (issue.input === undefined) return "required";
  if (issue.code !== "invalid_type") return undefined;
  return `expected ${expectsInteger(issue) ? "integer" : issue.expected}, received ${describe(issue.input)}`;
}

/** zod says "number" when a non-number reaches an int field; the field wants an integer. */
function expectsInteger(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidType>): boolean {
  if (issue.expected === "int") return true;
  return issue.inst instanceof z.ZodNumber && (issue.inst.format ?? "").includes("int");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return String(value);
    return Number.isInteger(value) ? "integer" : "number";
  }
  return typeof value;
}
