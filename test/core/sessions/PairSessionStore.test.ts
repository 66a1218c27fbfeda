// The pair's one conversation: own store + the peer's files read-only, on real temp dirs.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { FileSessionStore } from "../../../services/core/sessions/FileSessionStore.js";
import { PairSessionStore } from "../../../services/core/sessions/PairSessionStore.js";
import { PeerSessionReader } from "../../../services/core/sessions/PeerSessionReader.js";
import type { SessionTurn } from "../../../services/core/sessions/SessionStore.js";
import { sessionFileName } from "../../../services/core/sessions/sessionFileName.js";
import { tempDir } from "../../support/processes.js";

const turn = (packetId: string, at: string, text = packetId): SessionTurn => ({
  packetId,
  sessionId: "s",
  at,
  user: text,
  assistant: `answer to ${text}`,
});

function pair() {
  const ownDir = tempDir("gaia-own-");
  const peerDir = tempDir("gaia-peer-");
  const own = new FileSessionStore({ dir: ownDir });
  const peerWriter = new FileSessionStore({ dir: peerDir });
  const warnings: unknown[] = [];
  const logger = { warn: (o: unknown) => warnings.push(o), info: () => undefined } as never;
  const peer = new PeerSessionReader({ dir: peerDir, logger });
  const store = new PairSessionStore(own, peer);
  return { ownDir, peerDir, own, peer, peerWriter, store, warnings };
}

describe("PairSessionStore", () => {
  it("loads the union of both logs ordered by time, each packet_id once", async () => {
    const { own, peerWriter, store } = pair();
    await own.appendTurn(turn("t1", "2026-01-01T00:00:01.000Z"));
    await peerWriter.appendTurn(turn("t2", "2026-01-01T00:00:02.000Z"));
    await own.appendTurn(turn("t3", "2026-01-01T00:00:03.000Z"));
    // the same packet_id on both sides (should not happen, but must not show twice): own wins
    await own.appendTurn(turn("both", "2026-01-01T00:00:04.000Z", "own"));
    await peerWriter.appendTurn(turn("both", "2026-01-01T00:00:04.500Z", "peer"));
    const turns = await store.load("s");
    expect(turns.map((t) => t.packetId)).toEqual(["t1", "t2", "t3", "both"]);
    expect(turns.find((t) => t.packetId === "both")?.user).toBe("own");
  });

  it("replays a packet_id the peer answered instead of storing it again", async () => {
    const { own, peerWriter, store, ownDir } = pair();
    await peerWriter.appendTurn(turn("p1", "2026-01-01T00:00:01.000Z", "peer's answer"));
    const result = await store.appendTurn(turn("p1", "2026-01-01T00:00:05.000Z", "ours"));
    expect(result).toMatchObject({ duplicate: true, stored: { user: "peer's answer" } });
    expect(await own.load("s")).toEqual([]);
    expect(fs.existsSync(path.join(ownDir, sessionFileName("s")))).toBe(false);
    // a new packet_id goes to our own store only
    expect((await store.appendTurn(turn("p2", "2026-01-01T00:00:06.000Z"))).duplicate).toBe(false);
    expect((await own.load("s")).map((t) => t.packetId)).toEqual(["p2"]);
    expect((await peerWriter.load("s")).map((t) => t.packetId)).toEqual(["p1"]);
  });

  it("stores nothing when the caller leaves during the peer check (a frozen core whose packet was re-sent)", async () => {
    const { own, ownDir, store } = pair();
    const caller = new AbortController();
    const append = store.appendTurn(turn("x", "2026-01-01T00:00:01.000Z"), { signal: caller.signal });
    caller.abort(new Error("gateway re-sent the packet to the peer"));
    await expect(append).rejects.toThrow("re-sent");
    expect(await own.load("s")).toEqual([]);
    expect(fs.existsSync(path.join(ownDir, sessionFileName("s")))).toBe(false);
  });

  it("skips the peer's torn last line and picks up the rest once it is complete", async () => {
    const { peerWriter, peerDir, store } = pair();
    await peerWriter.appendTurn(turn("p1", "2026-01-01T00:00:01.000Z"));
    const file = path.join(peerDir, sessionFileName("s"));
    const next = JSON.stringify({ kind: "turn", packet_id: "p2", session_id: "s", at: "2026-01-01T00:00:02.000Z" });
    fs.appendFileSync(file, next.slice(0, 20)); // the peer is mid-write (or died there)
    expect((await store.load("s")).map((t) => t.packetId)).toEqual(["p1"]);
    fs.appendFileSync(file, `${next.slice(20)}\n`);
    expect((await store.load("s")).map((t) => t.packetId)).toEqual(["p1", "p2"]);
  });

  it("a missing peer dir means own history only, reported once in its status; it comes back when the dir does", async () => {
    const { own, peer, peerDir, store, warnings } = pair();
    fs.rmSync(peerDir, { recursive: true });
    await own.appendTurn(turn("t1", "2026-01-01T00:00:01.000Z"));
    expect((await store.load("s")).map((t) => t.packetId)).toEqual(["t1"]);
    await store.load("s");
    await store.load("other");
    expect(peer.status()).toMatchObject({ dir: peerDir, readable: false, reason: "missing" });
    expect(warnings).toHaveLength(1);

    await new FileSessionStore({ dir: peerDir }).appendTurn(turn("p2", "2026-01-01T00:00:02.000Z"));
    expect((await store.load("s")).map((t) => t.packetId)).toEqual(["t1", "p2"]);
    expect(peer.status()).toMatchObject({ readable: true });
  });

  it("an unreadable peer file (a directory where the file should be) is own history only, never an error", async () => {
    const { own, peer, peerDir, store } = pair();
    fs.mkdirSync(path.join(peerDir, sessionFileName("s")));
    await own.appendTurn(turn("t1", "2026-01-01T00:00:01.000Z"));
    expect((await store.load("s")).map((t) => t.packetId)).toEqual(["t1"]);
    expect(peer.status().readable).toBe(false);
  });
});
