// Helpers shared by the in-process and the other-uid self-check tests.
import fs from "node:fs";
import path from "node:path";
import { expect } from "@jest/globals";
import type { runSelfCheck } from "../../../services/core/startup/selfCheck.js";

export const isRoot = process.getuid?.() === 0;

/** A file that starts like a GGUF v3 (magic and version), or with `head` instead when given. */
export function fakeGguf(dir: string, name = "model.gguf", head?: string): string {
  const file = path.join(dir, name);
  const bytes = head === undefined ? Buffer.from("GGUF\x03\0\0\0", "latin1") : Buffer.from(head, "latin1");
  fs.writeFileSync(file, Buffer.concat([bytes, Buffer.alloc(head === "" ? 0 : 24)]));
  return file;
}

export function expectOneLineProblem(result: ReturnType<typeof runSelfCheck>): string {
  expect(result.ok).toBe(false);
  const problem = result.ok ? "" : result.problem;
  expect(problem).not.toMatch(/[\r\n]/);
  expect(problem).toMatch(/: /); // "<what>: <how to fix>"
  return problem;
}
