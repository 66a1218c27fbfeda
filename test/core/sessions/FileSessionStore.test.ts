import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { FileSessionStore } from "../../../services/core/sessions/FileSessionStore.js";
import { sessionTurn } from "../../fixtures/sessionTurns.js";
import { tempDir } from "../../support/processes.js";

describe("FileSessionStore", () => {
  it("appends turns and reads them back in order", async () => {
    const store = new FileSessionStore({ dir: tempDir() });
    await store.appendTurn(sessionTurn("a", "1"));
    await store.appendTurn(sessionTurn("a", "2"));
    await store.appendTurn(sessionTurn("b", "1"));
    expect((await store.load("a")).map((t) => t.packetId)).toEqual(["1", "2"]);
    expect(await store.count()).toBe(2);
    expect(await store.load("unknown")).toEqual([]);
  });

  it("is idempotent on packet_id, also across store instances (a restarted core)", async () => {
    const dir = tempDir();
    const first = await new FileSessionStore({ dir }).appendTurn(sessionTurn("s", "p1", "one"));
    expect(first.duplicate).toBe(false);
    const again = await new FileSessionStore({ dir }).appendTurn(sessionTurn("s", "p1", "changed"));
    expect(again).toMatchObject({ duplicate: true, stored: { user: "one" } });
    expect(await new FileSessionStore({ dir }).load("s")).toHaveLength(1);
  });

  it("serialises concurrent appends to one session without losing or duplicating turns", async () => {
    const store = new FileSessionStore({ dir: tempDir() });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendTurn(sessionTurn("c", `p${i % 25}`))));
    const turns = await new FileSessionStore({ dir: store.fileFor("c").replace(/\/[^/]+$/, "") }).load("c");
    expect(new Set(turns.map((t) => t.packetId)).size).toBe(25);
    expect(turns).toHaveLength(25);
  });

  it.each([
    "../../etc/passwd",
    "/etc/passwd",
    "..",
    ".",
    "a/../../b",
    "with\u0000nul",
    "x".repeat(10_000),
    "",
    "  ",
    "C:\\windows",
    "séance-🎉",
    "con",
    "a\nb",
  ])("keeps session id %j inside the sessions dir", async (sessionId) => {
    const root = tempDir();
    const dir = path.join(root, "sessions");
    const store = new FileSessionStore({ dir });
    const file = store.fileFor(sessionId);
    expect(path.dirname(file)).toBe(dir);
    expect(path.basename(file).length).toBeLessThan(100);
    await store.appendTurn(sessionTurn(sessionId, "p"));
    expect((await store.load(sessionId)).map((t) => t.sessionId)).toEqual([sessionId]);
    expect(fs.readdirSync(root)).toEqual(["sessions"]);
  });

  it("stores nothing when the caller leaves while the append is under way, and says why", async () => {
    const dir = tempDir();
    const store = new FileSessionStore({ dir });
    await store.appendTurn(sessionTurn("s", "kept"));
    const caller = new AbortController();
    const append = store.appendTurn(sessionTurn("s", "left"), { signal: caller.signal });
    // the append is reading the log when the caller goes (a gateway giving up on this core)
    caller.abort(new Error("gateway went away"));
    await expect(append).rejects.toThrow("gateway went away");
    expect((await new FileSessionStore({ dir }).load("s")).map((t) => t.packetId)).toEqual(["kept"]);
    // a caller that stays gets its turn stored
    const stays = new AbortController();
    expect((await store.appendTurn(sessionTurn("s", "stayed"), { signal: stays.signal })).duplicate).toBe(false);
    expect(store.health().writable).toBe(true);
  });

  it("gives distinct ids distinct files even when they sanitise alike", () => {
    const store = new FileSessionStore({ dir: tempDir() });
    expect(store.fileFor("a/b")).not.toBe(store.fileFor("a_b"));
    expect(store.fileFor("a/b")).not.toBe(store.fileFor("a?b"));
  });

  it("skips a torn last line and seals it off, so earlier and later turns stay readable", async () => {
    const dir = tempDir();
    const store = new FileSessionStore({ dir });
    await store.appendTurn(sessionTurn("t", "1"));
    fs.appendFileSync(store.fileFor("t"), '{"kind":"turn","packet_id":"2","session_id":"t","user":"half wr');
    const fresh = new FileSessionStore({ dir });
    expect((await fresh.load("t")).map((t) => t.packetId)).toEqual(["1"]);
    await fresh.appendTurn(sessionTurn("t", "3"));
    expect((await new FileSessionStore({ dir }).load("t")).map((t) => t.packetId)).toEqual(["1", "3"]);
  });

  it("stores a backfilled vector once, append-only", async () => {
    const dir = tempDir();
    const store = new FileSessionStore({ dir });
    await store.appendTurn(sessionTurn("v", "1"));
    await store.attachVector("v", "1", [0.1, 0.2]);
    await store.attachVector("v", "1", [0.9, 0.9]);
    expect((await new FileSessionStore({ dir }).load("v"))[0]!.vector).toEqual([0.1, 0.2]);
    expect(fs.readFileSync(store.fileFor("v"), "utf8").trim().split("\n")).toHaveLength(2);
  });
});
