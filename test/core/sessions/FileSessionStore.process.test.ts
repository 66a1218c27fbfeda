// A writer process killed with SIGKILL mid-append: the store's crash safety against a real kill, not a simulated one.
// Spawns the compiled store (run `npm run build` first; `npm test` does).
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { FileSessionStore } from "../../../services/core/sessions/FileSessionStore.js";
import { sessionTurn } from "../../fixtures/sessionTurns.js";
import { REPO_ROOT, tempDir } from "../../support/processes.js";

describe("FileSessionStore under SIGKILL", () => {
  it("loses at most the turn being written when the writer is killed with SIGKILL mid-write", async () => {
    const dir = tempDir();
    const writer = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `
      import { FileSessionStore } from ${JSON.stringify(path.join(REPO_ROOT, "dist/services/core/sessions/FileSessionStore.js"))};
      const store = new FileSessionStore({ dir: ${JSON.stringify(dir)} });
      const big = "x".repeat(200000);
      for (let i = 0; ; i++) {
        await store.appendTurn({ packetId: "p" + i, sessionId: "k", at: "", user: big, assistant: big });
        if (i === 3) process.stdout.write("ready\\n");
      }`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => writer.stdout.once("data", () => resolve()));
    await new Promise((r) => setTimeout(r, 50));
    writer.kill("SIGKILL");
    await new Promise((r) => writer.once("exit", r));
    const store = new FileSessionStore({ dir });
    const turns = await store.load("k");
    expect(turns.length).toBeGreaterThanOrEqual(4);
    expect(turns.map((t) => t.packetId)).toEqual(turns.map((_, i) => `p${i}`)); // every earlier turn intact, in order
    await store.appendTurn(sessionTurn("k", "after-crash"));
    expect((await new FileSessionStore({ dir }).load("k")).at(-1)!.packetId).toBe("after-crash");
  });
});
