// The doctor's /slots check against a real core (real app listening on a port, real bundled GGUF).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { checkSlots } from "../../doctor/checks/slots.js";
import { minimalPacket } from "../fixtures/packets.js";
import { type Listening, listen } from "../support/listen.js";
import { startTestCore, type TestCore } from "../support/testCore.js";
import { closedPortUrl, context, urlArgs } from "./support.js";

const KEY = "sk-doctor-slots-0123456789";
let core: TestCore;
let server: Listening;
let down: string;

beforeAll(async () => {
  core = await startTestCore({ env: { GAIA_API_KEYS: KEY, GAIA_PARALLEL: "2" } });
  server = await listen(core.app);
  down = await closedPortUrl();
});
afterAll(async () => {
  await server?.close();
  await core?.dispose();
});

const ctx = (env: NodeJS.ProcessEnv) => context([...urlArgs(server.url, down, down), "--mode", "process"], env);

describe("doctor: slots", () => {
  it("shows each slot of a ready core: busy or idle, the session it holds, tokens cached, last use", async () => {
    const packet = minimalPacket();
    const answered = await request(core.app)
      .post("/process_packet")
      .set("X-Api-Key", KEY)
      .set("Content-Type", "application/json")
      .send(JSON.stringify(packet));
    expect(answered.status).toBe(200);
    const results = await checkSlots(await ctx({ CORE_API_KEY: KEY }));
    expect(results).toHaveLength(1); // the unreachable candidate is reachability's finding
    expect(results[0]).toMatchObject({ category: "slots", target: "primary", severity: "pass" });
    expect(results[0]?.message).toMatch(/^2 slots, 0 busy: /);
    expect(results[0]?.message).toMatch(
      new RegExp(`\\d idle, session ${packet.header.session_id} \\(\\d+ tokens, used \\d+ s ago\\)`),
    );
    expect(results[0]?.message).toMatch(/\d idle, empty/);
  });

  it("warns with the fix when the core wants a key the doctor was not given", async () => {
    const results = await checkSlots(await ctx({}));
    expect(results).toEqual([
      expect.objectContaining({
        severity: "warn",
        message: "GET /slots needs an API key",
        fix: "set CORE_API_KEY to the key the gateway sends",
      }),
    ]);
  });
});
