// The compiled gateway as a process (needs `npm run build`): config errors, serving, SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { freePort, spawnService } from "../support/processes.js";
import { waitFor } from "../support/waitFor.js";
import { type StandInCore, startStandInCore } from "./standInCore.js";

let core: StandInCore;
beforeAll(async () => {
  core = await startStandInCore("primary");
});
afterAll(async () => {
  await core.close();
});

describe("gaia-web process", () => {
  it("serves, logs one line per request, and exits 0 on SIGTERM", async () => {
    const web = await spawnService({
      entry: "dist/services/web/main.js",
      env: { CORE_ENDPOINT: core.url, LOG_LEVEL: "info" },
    });
    try {
      const res = await fetch(`${web.url}/process_user_input?user_input=hello`, { method: "POST" });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { packet_id: string; served_by: string };
      expect(body.served_by).toBe("primary");
      // the log line reaches us through the child's stdout, asynchronously
      const line = await waitFor("the request's log line", () =>
        web
          .output()
          .split("\n")
          .map((l) => (l.startsWith("{") ? (JSON.parse(l) as Record<string, unknown>) : {}))
          .find((l) => l.path === "/process_user_input"),
      );
      expect(line).toMatchObject({ service: "gaia-web", status: 200, packet_id: body.packet_id, served_by: "primary" });
      expect(typeof line?.latency_ms).toBe("number");
    } finally {
      expect(await web.kill("SIGTERM")).toBe(0);
    }
  });

  it("refuses to start on a bad environment with one line naming the variable", async () => {
    const port = await freePort();
    const web = await spawnService({
      entry: "dist/services/web/main.js",
      port,
      env: { CORE_ENDPOINT: "not-a-url" },
      readyPath: null,
    });
    const code = web.child.exitCode ?? (await new Promise<number | null>((resolve) => web.child.once("exit", resolve)));
    expect(code).toBe(2);
    expect(web.output().trim().split("\n")).toHaveLength(1);
    expect(web.output()).toContain("CORE_ENDPOINT");
  });
});
