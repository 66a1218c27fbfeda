// Storage faults of the file store, made real without root: a session file that is a symlink to /dev/full fails every
// write with ENOSPC, exactly as a full disk does. (The full-volume case on a real tmpfs is in test/failover.)
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { FileSessionStore } from "../../../services/core/sessions/FileSessionStore.js";
import { SessionStoreUnavailableError } from "../../../services/core/sessions/SessionStoreUnavailableError.js";
import { sessionFileName } from "../../../services/core/sessions/sessionFileName.js";
import { storageFault } from "../../../services/core/sessions/storageFaults.js";
import { tempDir } from "../../support/processes.js";
import { waitFor } from "../../support/waitFor.js";

const turn = (packetId: string) => ({
  packetId,
  sessionId: "s",
  at: new Date().toISOString(),
  user: "hello",
  assistant: "answer",
});

const haveDevFull = fs.existsSync("/dev/full");

describe("FileSessionStore storage faults", () => {
  it("names the cause of ENOSPC, EROFS, EACCES and EIO, and nothing else", () => {
    const err = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(storageFault(err("ENOSPC", "ENOSPC: no space left on device, write"))).toBe(
      "ENOSPC: no space left on device",
    );
    expect(storageFault(err("EROFS", "EROFS: read-only file system, open '/x'"))).toBe("EROFS: read-only file system");
    expect(storageFault(err("EACCES", "EACCES: permission denied, open '/x'"))).toBe("EACCES: permission denied");
    expect(storageFault(err("EIO", "EIO: i/o error, write"))).toBe("EIO: i/o error");
    expect(storageFault(err("ENOENT", "ENOENT: no such file"))).toBeNull();
    expect(storageFault(new Error("plain"))).toBeNull();
  });

  (haveDevFull ? it : it.skip)(
    "ENOSPC → SessionStoreUnavailableError, unwritable health, recovery by its own probe",
    async () => {
      const dir = tempDir("gaia-faults-");
      const store = new FileSessionStore({ dir, probeIntervalMs: 300 });
      try {
        await store.appendTurn(turn("ok-1"));
        expect(store.health()).toEqual({ writable: true, store: `file store ${dir}` });
        const file = path.join(dir, sessionFileName("s"));
        const kept = fs.readFileSync(file);
        fs.rmSync(file);
        fs.symlinkSync("/dev/full", file);

        const failure = await store.appendTurn(turn("full-1")).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(SessionStoreUnavailableError);
        expect(failure).toMatchObject({ store: `file store ${dir}`, reason: "ENOSPC: no space left on device" });
        const health = store.health();
        expect(health).toMatchObject({ writable: false, reason: "ENOSPC: no space left on device" });
        expect(Date.parse(health.since ?? "")).not.toBeNaN();

        // a new file that failed is removed, not left empty; put the real one back: the probe notices by itself
        fs.rmSync(file, { force: true });
        fs.writeFileSync(file, kept);
        await waitFor("the probe to find the store writable", () => store.health().writable, { timeoutMs: 5000 });
        await store.appendTurn(turn("ok-2"));
        expect((await new FileSessionStore({ dir }).load("s")).map((t) => t.packetId)).toEqual(["ok-1", "ok-2"]);
      } finally {
        await store.close();
      }
    },
  );

  it("a session directory removed under the store: a 503-shaped error that names it, then the directory again", async () => {
    const dir = path.join(tempDir("gaia-faults-"), "sessions");
    const store = new FileSessionStore({ dir, probeIntervalMs: 60_000 });
    try {
      await store.appendTurn(turn("ok-1"));
      fs.rmSync(dir, { recursive: true, force: true }); // an operator clears the data volume under a running core

      const failure = await store.appendTurn(turn("lost-1")).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SessionStoreUnavailableError);
      expect(failure).toMatchObject({ store: `file store ${dir}`, reason: "ENOENT: the session directory is gone" });
      // the next turn makes the directory again; the session starts from what is on disk, with nothing half-written
      await store.appendTurn(turn("ok-2"));
      expect((await store.load("s")).map((t) => t.packetId)).toEqual(["ok-2"]);
      expect((await new FileSessionStore({ dir }).load("s")).map((t) => t.packetId)).toEqual(["ok-2"]);
    } finally {
      await store.close();
    }
  });

  it("a failed append leaves no partial line: the file is cut back to its last complete record", async () => {
    const dir = tempDir("gaia-faults-");
    const store = new FileSessionStore({ dir, probeIntervalMs: 60_000 });
    try {
      await store.appendTurn(turn("ok-1"));
      const file = path.join(dir, sessionFileName("s"));
      const before = fs.readFileSync(file, "utf8");
      // an I/O error after part of the line reached the file, as a disk filling up mid-write does
      const realAppend = fs.promises.appendFile;
      fs.promises.appendFile = async (target, data) => {
        fs.appendFileSync(target as string, String(data).slice(0, 10));
        throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
      };
      try {
        await expect(store.appendTurn(turn("torn"))).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      } finally {
        fs.promises.appendFile = realAppend;
      }
      expect(fs.readFileSync(file, "utf8")).toBe(before);
      expect(store.health()).toMatchObject({ writable: false, reason: "EIO: i/o error" });
      await store.appendTurn(turn("ok-2"));
      expect(store.health().writable).toBe(true);
      for (const line of fs.readFileSync(file, "utf8").trimEnd().split("\n"))
        expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await store.close();
    }
  });

  it("keeps its cache of parsed logs when it recovers (only close() forgets them)", async () => {
    const dir = tempDir("gaia-faults-");
    const store = new FileSessionStore({ dir, probeIntervalMs: 60_000 });
    try {
      await store.appendTurn({ ...turn("t-1"), sessionId: "t" });
      await store.appendTurn(turn("ok-1"));
      const realAppend = fs.promises.appendFile;
      fs.promises.appendFile = async () => {
        throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
      };
      try {
        await expect(store.appendTurn(turn("failed"))).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      } finally {
        fs.promises.appendFile = realAppend;
      }
      // tells a cached log from a re-read one: the same bytes count with other text, which only a full re-read sees
      const other = path.join(dir, sessionFileName("t"));
      fs.writeFileSync(other, fs.readFileSync(other, "utf8").replace('"answer"', '"ANSWER"'));
      await store.appendTurn(turn("ok-2")); // the write that works again: recovered
      expect(store.health().writable).toBe(true);
      expect((await store.load("t")).map((t) => t.assistant)).toEqual(["answer"]);
    } finally {
      await store.close();
    }
  });
});
