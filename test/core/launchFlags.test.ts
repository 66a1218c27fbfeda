// Every way this repo starts a core launches it the same way: the node flags and environment of launchFlags.ts (they
// must be set before node starts, so each launcher repeats them; this keeps the copies from drifting).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { CORE_NODE_FLAGS, CORE_PROCESS_ENV } from "../../services/core/launchFlags.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
const envAssignments = Object.entries(CORE_PROCESS_ENV).map(([name, value]) => `${name}=${value}`);

describe("a core's launch flags", () => {
  it("npm start passes them, and sets the environment", () => {
    const start = JSON.parse(read("package.json")).scripts.start as string;
    for (const flag of CORE_NODE_FLAGS) expect(start).toContain(`node ${flag}`);
    for (const assignment of envAssignments) expect(start).toContain(assignment);
  });

  it("the image's CMD passes them, and its ENV sets the environment", () => {
    const dockerfile = read("Dockerfile");
    const cmd = dockerfile.split("\n").find((line) => line.startsWith("CMD ")) ?? "";
    expect(JSON.parse(cmd.slice(4))).toEqual(["node", ...CORE_NODE_FLAGS, "dist/services/core/main.js"]);
    const runtimeStage = dockerfile.slice(dockerfile.indexOf("AS runtime"));
    for (const assignment of envAssignments) expect(runtimeStage).toMatch(new RegExp(`^\\s+${assignment} \\\\$`, "m"));
  });

  it("the Kubernetes deployments pass them (the environment comes with the image)", () => {
    for (const file of ["deploy/kubernetes/core-primary.yaml", "deploy/kubernetes/core-candidate.yaml"]) {
      const command = /command: (\[.*\])/.exec(read(file))?.[1] ?? "[]";
      expect({ file, command: JSON.parse(command) }).toEqual({
        file,
        command: ["node", ...CORE_NODE_FLAGS, "dist/services/core/main.js"],
      });
    }
  });

  it("the scale-out recipe in the manual starts its cores the same way", () => {
    const doc = read("docs/scale-out.md");
    for (const flag of CORE_NODE_FLAGS) expect(doc).toContain(`node ${flag} dist/services/core/main.js`);
    for (const assignment of envAssignments) expect(doc).toContain(assignment);
  });
});
