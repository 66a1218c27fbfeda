import { describe, expect, it } from "@jest/globals";
import { rendezvousOrder } from "../../services/web/affinity/rendezvousOrder.js";

const replicas = ["http://core-a:6415", "http://core-b:6415", "http://core-c:6415"];
const sessions = Array.from({ length: 3000 }, (_, i) => `session-${i}`);

describe("rendezvousOrder", () => {
  it("ranks every endpoint once, and the same key the same way whatever the list order", () => {
    for (const key of sessions.slice(0, 50)) {
      const order = rendezvousOrder(key, replicas);
      expect([...order].sort()).toEqual([...replicas].sort());
      expect(rendezvousOrder(key, [...replicas].reverse())).toEqual(order);
    }
  });

  it("spreads sessions over the replicas", () => {
    const counts = new Map<string, number>();
    for (const key of sessions) {
      const first = rendezvousOrder(key, replicas)[0] as string;
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    for (const replica of replicas) expect(counts.get(replica) ?? 0).toBeGreaterThan(sessions.length / 3 / 1.5);
  });

  it("moves only the sessions of a removed replica, each to its own second choice", () => {
    const without = replicas.filter((r) => r !== "http://core-b:6415");
    const movedTo = new Map<string, number>();
    for (const key of sessions) {
      const before = rendezvousOrder(key, replicas);
      const after = rendezvousOrder(key, without)[0];
      if (before[0] !== "http://core-b:6415") expect(after).toBe(before[0]);
      else {
        expect(after).toBe(before[1]);
        movedTo.set(after as string, (movedTo.get(after as string) ?? 0) + 1);
      }
    }
    expect(movedTo.size).toBe(2); // b's sessions spread over both survivors, not onto one
  });

  it("returns an empty ranking for no endpoints and the only one for one", () => {
    expect(rendezvousOrder("k", [])).toEqual([]);
    expect(rendezvousOrder("k", ["http://only:1"])).toEqual(["http://only:1"]);
  });
});
