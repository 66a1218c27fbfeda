import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import request from "supertest";
import { gatewayPacket } from "../fixtures/packets.js";
import { startTestCore, type TestCore } from "../support/testCore.js";

// A time budget smaller than the prompt's evaluation fires before the first token; node-llama-cpp then throws its abort
// reason instead of returning. The packet must still be a 200 with an empty answer that says it was cut.
let core: TestCore;
beforeAll(async () => {
  core = await startTestCore({ env: { GAIA_MAX_TOKENS_CAP: "64" } });
  expect(core.state.status).toBe("ready");
});
afterAll(async () => {
  await core.dispose();
});

const budgetPacket = (budgetMs: number, packetId: string) =>
  gatewayPacket((p) => {
    p.header.session_id = `budget-${packetId}`;
    p.header.packet_id = packetId;
    p.context.constraints.time_budget_ms = budgetMs;
    // a long prompt: its evaluation outlasts a budget of a few milliseconds
    p.content.original_prompt = "Tell me a long story about a small bird and a quiet little boy. ".repeat(30);
    p.content.data_fields = [];
  });

const cutLine = /answer cut: context\.constraints\.time_budget_ms \(\d+ ms\) reached/;

describe("time_budget_ms smaller than the first token", () => {
  it("answers JSON with 200 and a cut answer, for every budget of 1–5 ms", async () => {
    let cutBeforeFirstToken = 0;
    for (const budget of [1, 2, 3, 4, 5]) {
      const res = await request(core.app)
        .post("/process_packet")
        .set("Content-Type", "application/json")
        .send(JSON.stringify(budgetPacket(budget, `json-${budget}`)));
      expect(res.status).toBe(200);
      expect(res.body.status.state).toBe("completed");
      expect(res.body.status.observer_trace.join("\n")).toMatch(cutLine);
      if (res.body.response.candidate === "") {
        cutBeforeFirstToken++;
        expect(res.body.response.confidence).toBe(0);
      }
    }
    // the case this test is about happened at least once (the prompt's evaluation takes far more than 1 ms)
    expect(cutBeforeFirstToken).toBeGreaterThan(0);
  });

  it("answers NDJSON with 200 and a final packet (no error line), for every budget of 1–5 ms", async () => {
    for (const budget of [1, 2, 3, 4, 5]) {
      const res = await request(core.app)
        .post("/process_packet")
        .set("Content-Type", "application/json")
        .set("Accept", "application/x-ndjson")
        .send(JSON.stringify(budgetPacket(budget, `ndjson-${budget}`)));
      expect(res.status).toBe(200);
      const events = res.text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { type: string; value?: unknown });
      expect(events.filter((e) => e.type === "error")).toEqual([]);
      const last = events.at(-1) as { type: string; value: { status: { observer_trace: string[] } } };
      expect(last.type).toBe("packet");
      expect(last.value.status.observer_trace.join("\n")).toMatch(cutLine);
    }
  });

  it("stores the cut turn, so a re-sent packet_id replays it instead of generating again", async () => {
    const packet = budgetPacket(1, "replay-1");
    const send = () =>
      request(core.app).post("/process_packet").set("Content-Type", "application/json").send(JSON.stringify(packet));
    const first = await send();
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.body.response.candidate).toBe(first.body.response.candidate);
    expect(again.body.reasoning.reflection_log.at(-1).summary).toMatch(/replayed=true/);
  });
});
