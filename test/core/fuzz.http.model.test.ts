// Thousands of malformed packets against the real app: 0 responses ≥ 500, 0 crashes.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { gatewayPacket, minimalPacket, v05Packet } from "../fixtures/packets.js";
import { mutate, prng } from "../support/packetMutations.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

let core: TestCore;
beforeAll(async () => {
  core = await startTestCore({ env: { GAIA_MAX_TOKENS_CAP: "2" } });
});
afterAll(async () => {
  await core.dispose();
});

describe("malformed-packet fuzz through HTTP", () => {
  it("answers 2000 mutated packets and raw bodies without a single 5xx", async () => {
    const random = prng(0xfa22);
    const fixtures = [gatewayPacket, minimalPacket, v05Packet] as (() => Record<string, unknown>)[];
    const statuses = new Map<number, number>();
    const contentTypes = [
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "application/x-www-form-urlencoded",
      "",
    ];
    for (let i = 0; i < 2000; i++) {
      let body: string;
      let type = "application/json";
      const kind = random();
      if (kind < 0.8) {
        body = JSON.stringify(mutate(fixtures[i % fixtures.length]!(), random)) ?? "null";
      } else if (kind < 0.9) {
        // truncated or byte-flipped JSON
        const text = JSON.stringify(fixtures[i % fixtures.length]!());
        body =
          random() < 0.5 ? text.slice(0, Math.floor(random() * text.length)) : text.replace(/[:,]/, () => "\u0000");
      } else {
        body = JSON.stringify(fixtures[0]!());
        type = contentTypes[Math.floor(random() * contentTypes.length)]!;
      }
      const req = request(core.app).post("/process_packet");
      const res = await (type ? req.set("Content-Type", type) : req).send(body);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500)
        throw new Error(`HTTP ${res.status} for body ${body.slice(0, 300)}: ${res.text.slice(0, 300)}`);
    }
    // the mix really exercised accepted, rejected and unsupported bodies
    expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(500);
    expect((statuses.get(400) ?? 0) + (statuses.get(415) ?? 0)).toBeGreaterThan(50);
    expect((await request(core.app).get("/health")).status).toBe(200);
  }, 300_000);
});
