// shared/ holds only what two or more parts use: each of its files must be reachable, through relative
// imports, from at least two of the parts below. A file only one part uses belongs in that part's folder.
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { reachableFrom, tsFilesUnder } from "../support/importGraph.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

const PARTS = {
  core: "services/core",
  gateway: "services/web",
  doctor: "doctor",
  "model scripts": "models/scripts",
} as const;

/** Every shared file with the parts that reach it. */
function sharedFileUsers(): Record<string, string[]> {
  const reached = Object.entries(PARTS).map(
    ([part, dir]) => [part, reachableFrom(REPO_ROOT, tsFilesUnder(REPO_ROOT, dir))] as const,
  );
  const users: Record<string, string[]> = {};
  for (const file of tsFilesUnder(REPO_ROOT, "shared")) {
    users[file] = reached.filter(([, files]) => files.has(file)).map(([part]) => part);
  }
  return users;
}

describe("shared/", () => {
  it("finds the parts' imports (the graph sees through .js specifiers and index files)", () => {
    const users = sharedFileUsers();
    expect(users["shared/packet/schema.ts"]).toEqual(expect.arrayContaining(["core", "gateway"]));
    expect(users["shared/config/bundledModels.ts"]).toEqual(expect.arrayContaining(["core", "doctor"]));
  });

  it("holds only files that at least two parts use", () => {
    const usedByFewer = Object.entries(sharedFileUsers())
      .filter(([, parts]) => parts.length < 2)
      .map(([file, parts]) => `${file} (used by ${parts.join(", ") || "nothing"})`);
    expect(usedByFewer).toEqual([]);
  });
});
