import { describe, expect, it } from "@jest/globals";
import { buildUserPacket, pythonLocalIsoformat, WEB_SESSION_ID } from "../../services/web/buildPacket.js";
import { computeHashes, parsePacket } from "../../shared/packet/index.js";

describe("buildUserPacket", () => {
  it("builds the packet GAIA's gateway builds", () => {
    const packet = buildUserPacket("Hello GAIA");
    expect(packet.version).toBe("0.3");
    expect(packet.header).toMatchObject({
      session_id: "web_ui_session",
      sub_id: "0",
      persona: {
        identity_id: "default_user",
        persona_id: "default_web_user",
        role: "Default",
        tone_hint: "neutral",
        safety_profile_id: null,
        traits: {},
      },
      origin: "user",
      routing: { target_engine: "Prime", allow_parallel: false, priority: 5, deadline_iso: null, queue_id: null },
      model: {
        name: "default_model",
        provider: "default_provider",
        context_window_tokens: 8192,
        allow_tools: true,
        stop: [],
      },
      output_routing: {
        primary: { destination: "web", channel_id: "web_ui_session", user_id: "web_user", metadata: {} },
        source_destination: "web",
        addressed_to_gaia: true,
      },
      operational_status: { status: "initialized" },
    });
    expect(packet.intent).toEqual({ user_intent: "chat", system_task: "GenerateDraft", confidence: 0, tags: [] });
    expect(packet.context).toEqual({
      session_history_ref: { type: "web_session", value: "web_ui_session" },
      cheatsheets: [],
      constraints: { max_tokens: 2048, time_budget_ms: 30000, safety_mode: "strict", policies: [] },
      relevant_history_snippet: [],
      available_mcp_tools: null,
    });
    expect(packet.content).toEqual({
      original_prompt: "Hello GAIA",
      data_fields: [{ key: "user_message", value: "Hello GAIA", type: "text", source: null, vector_refs: [] }],
      attachments: [],
    });
    expect(packet.status).toEqual({ finalized: false, state: "initialized", next_steps: [], observer_trace: [] });
    expect(packet.tool_routing).toMatchObject({ execution_status: "pending", max_reinjections: 3 });
    expect(Object.keys(packet)).toEqual([
      "version",
      "header",
      "intent",
      "context",
      "content",
      "reasoning",
      "response",
      "governance",
      "metrics",
      "status",
      "schema_id",
      "council",
      "tool_routing",
      "loop_state",
      "goal_state",
    ]);
  });

  it("is a valid, fully expanded packet: parsing adds nothing", () => {
    const packet = buildUserPacket("Hello GAIA");
    const parsed = parsePacket(JSON.parse(JSON.stringify(packet)));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.packet).toEqual(packet);
  });

  it("carries the hashes compute_hashes gives", () => {
    const packet = buildUserPacket("Hello GAIA");
    const { header_hash, content_hash } = computeHashes(packet);
    expect(packet.governance.signatures).toEqual({ header_hash, content_hash, signed_by: null, signature: null });
    expect(header_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("uses a fresh UUID per packet and the given session id", () => {
    const a = buildUserPacket("x");
    const b = buildUserPacket("x", { sessionId: "s-42" });
    expect(a.header.packet_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.header.packet_id).not.toBe(b.header.packet_id);
    expect(a.header.session_id).toBe(WEB_SESSION_ID);
    expect(b.header.session_id).toBe("s-42");
    expect(b.context.session_history_ref.value).toBe("s-42");
    expect(b.header.output_routing?.primary?.channel_id).toBe("s-42");
  });

  it("stamps a naive local isoformat datetime with microseconds, as Python's datetime.now().isoformat()", () => {
    expect(buildUserPacket("x").header.datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    const local = new Date(2026, 1, 22, 17, 40, 1, 7);
    expect(pythonLocalIsoformat({ epochMs: local.getTime(), micros: 89 })).toBe("2026-02-22T17:40:01.007089");
  });
});
