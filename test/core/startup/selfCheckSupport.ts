// Helpers shared by the in-process and the other-uid self-check tests.
import fs from "node:fs";
import path from "node:path";
import { expect } from "@jest/globals";
import type { runSelfCheck } from "../../../services/core/startup/selfCheck.js";

export const isRoot = process.getuid?.() === 0;

export function fakeGguf(dir: string, name = "model.gguf", head = "GGUF", padding = 28): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(head, "latin1"), Buffer.alloc(padding)]));
  return file;
}

export function expectOneLineProblem(result: ReturnType<typeof runSelfCheck>): string {
  expect(result.ok).toBe(false);
  const problem = result.ok ? "" : result.problem;
  expect(problem).not.toMatch(/[\r\n]/);
  expect(problem).toMatch(/: /); // "<what>: <how to fix>"
  return problem;
}
