import { describe, expect, it } from "@jest/globals";
import { describeContext } from "../../../services/core/prompt/describeContext.js";
import { describePersona } from "../../../services/core/prompt/describePersona.js";
import { gatewayPacket } from "../../fixtures/packets.js";

describe("prompt parts from the packet", () => {
  it("puts the tool result first, marked as already executed", () => {
    const blocks = describeContext(gatewayPacket(), {
      tool: "web_search",
      status: "executed",
      text: '{"results":["fox facts"]}',
    });
    expect(blocks[0]).toMatch(/^\[Result of the tool "web_search", already executed/);
    expect(blocks[0]).toMatch(/fox facts/);
  });

  it("includes client snippets and data fields, but not the gateway's copy of the user's own message", () => {
    const packet = gatewayPacket((p) => {
      p.context.relevant_history_snippet = [{ id: "s1", role: "user", summary: "earlier we spoke about foxes" }];
      p.content.data_fields.push({
        key: "weather",
        value: { city: "Paris", sky: "sunny" },
        type: null,
        source: null,
        vector_refs: [],
      });
    });
    const text = describeContext(packet, null).join("\n");
    expect(text).toMatch(/- user: earlier we spoke about foxes/);
    expect(text).toMatch(/- weather: \{"city":"Paris","sky":"sunny"\}/);
    expect(text).not.toMatch(/user_message/);
  });

  it("describes the persona and constraints in the system message", () => {
    const system = describePersona(
      gatewayPacket((p) => {
        p.header.persona.traits = { tone: "technical" };
      }),
    );
    expect(system).toMatch(/default_web_user/);
    expect(system).toMatch(/Tone: neutral/);
    expect(system).toMatch(/Traits: tone: technical/);
    expect(system).toMatch(/Safety mode: strict/);
  });
});
