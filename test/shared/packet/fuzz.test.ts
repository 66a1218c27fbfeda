import { describe, expect, it } from "@jest/globals";
import { computeHashes, parsePacket } from "../../../shared/packet/index.js";
import { gatewayPacket, minimalPacket, v05Packet } from "../../fixtures/packets.js";
import { mutate, prng } from "../../support/packetMutations.js";

describe("parsePacket under random mutation", () => {
  it("never throws on 2000 mutated fixtures: it returns a packet or at least one problem", () => {
    const random = prng(0x5eed);
    const fixtures = [gatewayPacket, minimalPacket, v05Packet];
    let ok = 0;
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const body = mutate((fixtures[i % fixtures.length] as () => Record<string, unknown>)(), random);
      const result = parsePacket(body);
      if (result.ok) {
        ok++;
        expect(typeof result.version).toBe("string");
        const hashes = computeHashes(result.packet);
        expect(hashes.header_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.parse(JSON.stringify(result.packet))).toBeDefined();
      } else {
        rejected++;
        expect(result.problems.length).toBeGreaterThan(0);
        for (const problem of result.problems) {
          expect(typeof problem.path).toBe("string");
          expect(problem.path.length).toBeGreaterThan(0);
          expect(typeof problem.message).toBe("string");
          expect(problem.message.length).toBeGreaterThan(0);
        }
      }
    }
    // Both outcomes occur, so the mutations exercise both paths.
    expect(ok).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
