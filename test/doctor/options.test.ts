import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { parseOptions, UsageError } from "../../doctor/options.js";
import { buildRegistry } from "../../doctor/registry.js";
import { BUNDLED_LITE_MODEL_RELATIVE } from "../../shared/config/bundledModels.js";
import { tempDir } from "../support/processes.js";

const parse = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = tempDir("gaia-doctor-opt-")) =>
  parseOptions(args, env, { cwd, isTTY: false });

describe("doctor options", () => {
  it("defaults to the compose ports and the bundled model", () => {
    const cwd = tempDir("gaia-doctor-opt-");
    const o = parse([], {}, cwd);
    expect(o.coreUrl).toBe("http://127.0.0.1:6415");
    expect(o.candidateUrl).toBe("http://127.0.0.1:6416");
    expect(o.webUrl).toBe("http://127.0.0.1:6414");
    expect(o.model).toEqual({ path: path.join(cwd, BUNDLED_LITE_MODEL_RELATIVE), source: "default" });
    expect(o.timeoutMs).toBe(3000);
    expect(o.sharedDir).toBeUndefined();
    expect(o.defaultSharedDir).toBe(path.join(cwd, ".data/shared"));
    expect(o.defaultCandidateSharedDir).toBe(path.join(cwd, ".data/candidate"));
    expect(o.mode).toBe("auto");
    expect(o.fix).toBe(false);
  });

  it("uses start:pair's layout (.data/primary) as the primary's default when it exists", () => {
    const cwd = tempDir("gaia-doctor-opt-");
    fs.mkdirSync(path.join(cwd, ".data/primary"), { recursive: true });
    expect(parse([], {}, cwd).defaultSharedDir).toBe(path.join(cwd, ".data/primary"));
  });

  it("reads the services' environment, and flags win over it", () => {
    const cwd = tempDir("gaia-doctor-opt-");
    const env = {
      GAIA_CORE_URL: "http://10.0.0.1:7000/",
      GAIA_SHARED_DIR: "/srv/a",
      GAIA_LITE_MODEL: "m.gguf",
      GAIA_CANDIDATE_SHARED_DIR: "cand",
    };
    const fromEnv = parse([], env, cwd);
    expect(fromEnv.coreUrl).toBe("http://10.0.0.1:7000");
    expect(fromEnv.sharedDir).toEqual({ path: "/srv/a", source: "env" });
    expect(fromEnv.candidateSharedDir).toEqual({ path: path.join(cwd, "cand"), source: "env" });
    expect(fromEnv.model).toEqual({ path: path.join(cwd, "m.gguf"), source: "env" });

    const fromFlags = parse(
      ["--core-url", "http://127.0.0.1:9", "--shared-dir", "/srv/b", "--model", "/m/x.gguf", "--timeout-ms", "500"],
      env,
      cwd,
    );
    expect(fromFlags.coreUrl).toBe("http://127.0.0.1:9");
    expect(fromFlags.sharedDir).toEqual({ path: "/srv/b", source: "flag" });
    expect(fromFlags.model).toEqual({ path: "/m/x.gguf", source: "flag" });
    expect(fromFlags.timeoutMs).toBe(500);
  });

  it("treats GAIA_SHARED_DIR as the candidate's when GAIA_ROLE=candidate (the doctor run beside a candidate)", () => {
    const o = parse([], { GAIA_ROLE: "candidate", GAIA_SHARED_DIR: "/shared" });
    expect(o.sharedDir).toBeUndefined();
    expect(o.candidateSharedDir).toEqual({ path: "/shared", source: "env" });
  });

  it("rejects unknown flags, bad URLs, bad numbers and modes with a UsageError naming the flag", () => {
    expect(() => parse(["--bogus"])).toThrow(UsageError);
    expect(() => parse(["stray"])).toThrow(UsageError);
    expect(() => parse(["--core-url", "not a url"])).toThrow(/--core-url/);
    expect(() => parse(["--timeout-ms", "-5"])).toThrow(/--timeout-ms/);
    expect(() => parse(["--mode", "cloud"])).toThrow(/--mode/);
    expect(() => parse(["--expect-uid", "x"])).toThrow(/--expect-uid/);
    expect(() => parse([], { GAIA_WEB_URL: "ftp//x" })).toThrow(/GAIA_WEB_URL/);
  });

  it("turns colour on only for a TTY without NO_COLOR", () => {
    const cwd = tempDir("gaia-doctor-opt-");
    expect(parseOptions([], {}, { cwd, isTTY: true }).color).toBe(true);
    expect(parseOptions([], { NO_COLOR: "1" }, { cwd, isTTY: true }).color).toBe(false);
    expect(parseOptions([], {}, { cwd, isTTY: false }).color).toBe(false);
  });
});

describe("service registry", () => {
  it("holds both cores and the gateway, all required", () => {
    const registry = buildRegistry(parse([]));
    expect(registry.map((s) => [s.name, s.kind, s.role, s.healthUrl, s.required])).toEqual([
      ["primary", "core", "primary", "http://127.0.0.1:6415/health", true],
      ["candidate", "core", "candidate", "http://127.0.0.1:6416/health", true],
      ["gateway", "gateway", undefined, "http://127.0.0.1:6414/health", true],
    ]);
  });

  it("adds MCP primary and fallback only when their endpoints are set, probing /health on the origin", () => {
    const registry = buildRegistry(
      parse([], {
        MCP_ENDPOINT: "http://127.0.0.1:8765/jsonrpc",
        MCP_FALLBACK_ENDPOINT: "http://127.0.0.1:8767/jsonrpc",
      }),
    );
    expect(registry.filter((s) => s.kind === "mcp").map((s) => [s.name, s.healthUrl, s.required])).toEqual([
      ["mcp", "http://127.0.0.1:8765/health", false],
      ["mcp-fallback", "http://127.0.0.1:8767/health", false],
    ]);
  });
});
