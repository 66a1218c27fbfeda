import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { checkModel } from "../../doctor/checks/model.js";
import { checkSharedDirs } from "../../doctor/checks/sharedDirs.js";
import { findComposeFile } from "../../doctor/compose.js";
import type { DoctorContext } from "../../doctor/context.js";
import { candidateStartCommand } from "../../doctor/fixes/candidateCommand.js";
import { tempDir } from "../support/processes.js";
import { closedPortUrl, context, coreBody, standIn } from "./support.js";

describe("deployment mode", () => {
  it("is process mode by default, container mode when a core reports the image's /shared", async () => {
    const down = await closedPortUrl();
    const urls = (core: string) => ["--core-url", core, "--candidate-url", down, "--web-url", down];
    expect((await context(urls(down))).mode).toBe("process");

    const imageCore = await standIn(
      200,
      coreBody({ shared_dir: "/shared", model: { path: "/app/models/bundled/gaia-lite-tiny.gguf", loaded: true } }),
    );
    try {
      const ctx = await context(urls(imageCore.url));
      expect(ctx.mode).toBe("container");
      expect(ctx.modeReason).toContain("/shared");
      // no compose file here: the volumes cannot be located, which is a warning, not a missing dir
      expect(checkSharedDirs(ctx).map((r) => [r.target, r.id, r.severity])).toEqual([
        ["primary", "located", "warn"],
        ["candidate", "located", "warn"],
      ]);
      // the model path is inside the image: not read from this host unless --model is given
      expect((await checkModel(ctx)).map((r) => [r.target, r.id, r.severity])).toEqual([["primary", "loaded", "pass"]]);
      expect(candidateStartCommand(ctx)).toBe(
        "docker-compose up -d --no-deps gaia-core-candidate (or npm run ha:start)",
      );
    } finally {
      await imageCore.close();
    }
  });

  it("honours --mode over detection", async () => {
    const down = await closedPortUrl();
    expect(
      (await context(["--core-url", down, "--candidate-url", down, "--web-url", down, "--mode", "container"])).mode,
    ).toBe("container");
  });

  it("finds a compose file only when it defines gaia-core-candidate", () => {
    const dir = tempDir("gaia-doctor-compose-");
    fs.writeFileSync(path.join(dir, "docker-compose.yml"), "services:\n  other:\n    image: x\n");
    expect(findComposeFile(dir)).toBeUndefined();
    fs.writeFileSync(path.join(dir, "compose.yaml"), "services:\n  gaia-core-candidate:\n    image: x\n");
    expect(findComposeFile(dir)).toBe(path.join(dir, "compose.yaml"));
  });
});

describe("start command for a stopped candidate (process mode)", () => {
  it("is `npm run start:pair` when both cores are down on the default ports, else a lone candidate", async () => {
    const cwd = tempDir("gaia-doctor-cmd-");
    // the default URLs; the primary's probe result is set here, so both branches are checked whatever listens on
    // this machine's default ports
    const ctx = await context(["--mode", "process", "--timeout-ms", "500"], {}, cwd);
    const primaryProbe = ctx.probes.get("primary");
    if (!primaryProbe) throw new Error("no primary probe");
    const withPrimary = (reachable: boolean): DoctorContext => ({
      ...ctx,
      probes: new Map([
        ...ctx.probes,
        [
          "primary",
          reachable
            ? { service: primaryProbe.service, reachable: true, httpStatus: 200, body: coreBody(), ms: 1 }
            : { service: primaryProbe.service, reachable: false, timedOut: false, error: "ECONNREFUSED", ms: 1 },
        ],
      ]),
    });
    expect(candidateStartCommand(withPrimary(false))).toBe("npm run start:pair");
    expect(candidateStartCommand(withPrimary(true))).toMatch(/^GAIA_ROLE=candidate PORT=6416 .* npm start$/);

    const primary = await standIn(200, coreBody());
    try {
      const down = await closedPortUrl();
      const lone = await context(
        ["--core-url", primary.url, "--candidate-url", down, "--candidate-shared-dir", "my dir/c", "--mode", "process"],
        {},
        cwd,
      );
      expect(candidateStartCommand(lone)).toBe(
        `GAIA_ROLE=candidate PORT=${new URL(down).port} GAIA_SHARED_DIR='my dir/c' npm start`,
      );
    } finally {
      await primary.close();
    }
  });
});
