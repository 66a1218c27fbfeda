import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { checkModel } from "../../doctor/checks/model.js";
import { tempDir } from "../support/processes.js";
import { closedPortUrl, context, coreBody, standIn, urlArgs, writeGguf } from "./support.js";

describe("model check", () => {
  it("passes a valid GGUF and fails a corrupt one, with a fix hint", async () => {
    const dir = tempDir("gaia-doctor-model-");
    const down = await closedPortUrl();
    const urls = ["--core-url", down, "--candidate-url", down, "--web-url", down, "--mode", "process"];
    const good = await checkModel(await context([...urls, "--model", writeGguf(path.join(dir, "ok.gguf"))]));
    expect(good).toEqual([
      expect.objectContaining({
        category: "model",
        id: "gguf",
        severity: "pass",
        message: expect.stringContaining("GGUF v3"),
      }),
    ]);

    const corrupt = path.join(dir, "corrupt.gguf");
    fs.writeFileSync(corrupt, Buffer.alloc(4096, 0x5a));
    const bad = await checkModel(await context([...urls, "--model", corrupt]));
    expect(bad).toEqual([
      expect.objectContaining({
        severity: "fail",
        message: expect.stringContaining("not a valid GGUF"),
        fix: expect.stringContaining("GAIA_LITE_MODEL"),
      }),
    ]);
  });

  it("points at `npm run models` when the bundled default is missing", async () => {
    const down = await closedPortUrl();
    const results = await checkModel(await context(["--core-url", down, "--candidate-url", down, "--web-url", down]));
    expect(results[0]).toMatchObject({
      severity: "fail",
      target: "models/bundled/gaia-lite-bigram.gguf",
      fix: expect.stringContaining("npm run models"),
    });
  });

  it("reports the model each core serves, and checks that file too in process mode", async () => {
    const dir = tempDir("gaia-doctor-model-");
    const served = writeGguf(path.join(dir, "served.gguf"));
    const configured = writeGguf(path.join(dir, "configured.gguf"));
    const primary = await standIn(200, coreBody({ model: { path: served, name: "tiny", loaded: true, load_ms: 31 } }));
    const candidate = await standIn(
      200,
      coreBody({ role: "candidate", model: { path: served, name: null, loaded: false, load_ms: null } }),
    );
    const down = await closedPortUrl();
    try {
      const results = await checkModel(
        await context([...urlArgs(primary.url, candidate.url, down), "--model", configured, "--mode", "process"]),
      );
      expect(results.map((r) => [r.target, r.id, r.severity])).toEqual([
        [configured, "gguf", "pass"],
        [served, "gguf", "pass"],
        ["primary", "loaded", "pass"],
        ["candidate", "loaded", "warn"],
      ]);
      expect(results[2]?.message).toBe(`serves ${served} (tiny), loaded in 31 ms`);
    } finally {
      await primary.close();
      await candidate.close();
    }
  });
});
