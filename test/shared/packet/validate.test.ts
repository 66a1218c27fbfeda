import { describe, expect, it } from "@jest/globals";
import {
  type CognitionPacket,
  formatProblem,
  GOAL_CONFIDENCE_VALUES,
  ORIGIN_VALUES,
  OUTPUT_DESTINATION_VALUES,
  PACKET_STATE_VALUES,
  type PacketParseResult,
  type PacketProblem,
  PERSONA_ROLE_VALUES,
  parsePacket,
  SYSTEM_TASK_VALUES,
  TARGET_ENGINE_VALUES,
  TOOL_EXECUTION_STATUS_VALUES,
} from "../../../shared/packet/index.js";
import {
  gatewayPacket,
  minimalPacket,
  REQUIRED_PACKET_FIELDS,
  v05Packet,
  withoutPath,
  withPath,
} from "../../fixtures/packets.js";

function expectOk(result: PacketParseResult): CognitionPacket {
  if (!result.ok) throw new Error(`expected a packet, got:\n${result.problems.map(formatProblem).join("\n")}`);
  return result.packet;
}

function expectProblems(result: PacketParseResult): PacketProblem[] {
  if (result.ok) throw new Error("expected problems, got a packet");
  return result.problems;
}

/** Every object key path of a JSON value (arrays' items included), depth first. */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return Array.isArray(value) ? keyPaths(child, path) : [path, ...keyPaths(child, path)];
  });
}

function valueAt(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}

/** The minimal packet expanded with the original's defaults, in declaration order. */
const MINIMAL_EXPANDED = {
  version: "0.3",
  header: {
    datetime: "2026-02-22T17:40:01Z",
    session_id: "s1",
    packet_id: "p1",
    sub_id: "0",
    persona: {
      identity_id: "u",
      persona_id: "p",
      role: "Default",
      tone_hint: null,
      safety_profile_id: null,
      traits: {},
    },
    origin: "user",
    routing: { target_engine: "Prime", allow_parallel: false, priority: 5, deadline_iso: null, queue_id: null },
    model: {
      name: "m",
      provider: "p",
      context_window_tokens: 8192,
      max_output_tokens: null,
      response_buffer_tokens: null,
      temperature: null,
      top_p: null,
      seed: null,
      stop: [],
      tool_permissions: [],
      allow_tools: true,
    },
    parent_packet_id: null,
    lineage: [],
    output_routing: null,
    operational_status: null,
  },
  intent: { user_intent: "chat", system_task: "GenerateDraft", confidence: 0, tags: [] },
  context: {
    session_history_ref: { type: "web_session", value: "s1" },
    cheatsheets: [],
    constraints: { max_tokens: 2048, time_budget_ms: 30000, safety_mode: "strict", policies: [] },
    relevant_history_snippet: [],
    available_mcp_tools: null,
  },
  content: { original_prompt: "Hello", data_fields: [], attachments: [] },
  reasoning: { reflection_log: [], sketchpad: [], evaluations: [] },
  response: { candidate: "", confidence: 0, stream_proposal: false, tool_calls: [], sidecar_actions: [] },
  governance: {
    safety: { execution_allowed: false, allowed_commands_whitelist_id: null, dry_run: true },
    signatures: { header_hash: null, content_hash: null, signed_by: null, signature: null },
    audit: { created_by: null, created_at: null, modified_at: null, reviewers: [], decision: null },
    privacy: { pii_detected: null, pii_notes: null },
  },
  metrics: {
    token_usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, projected_tokens: null },
    latency_ms: 0,
    cost_estimate: null,
    errors: [],
    resources: null,
    semantic_probe: null,
  },
  status: { finalized: false, state: "initialized", next_steps: [], observer_trace: [] },
  schema_id: null,
  council: null,
  tool_routing: null,
  loop_state: null,
  goal_state: null,
};

describe("parsePacket: the original's example packets", () => {
  it("accepts the gateway packet unchanged, keys in declaration order", () => {
    const packet = expectOk(parsePacket(gatewayPacket()));
    expect(packet).toEqual(gatewayPacket());
    expect(JSON.stringify(packet)).toBe(JSON.stringify(gatewayPacket()));
  });

  it("expands the minimal packet with every declared key, nulls and empty lists included", () => {
    const packet = expectOk(parsePacket(minimalPacket()));
    expect(packet).toEqual(MINIMAL_EXPANDED);
    expect(JSON.stringify(packet)).toBe(JSON.stringify(MINIMAL_EXPANDED));
  });

  it("reports the version it saw", () => {
    const result = parsePacket(minimalPacket({ version: "0.2" }));
    expect(result).toMatchObject({ ok: true, version: "0.2" });
  });

  it.each([
    ["gateway", gatewayPacket()],
    ["minimal", minimalPacket()],
    ["v0.5", v05Packet()],
  ])("round-trips the %s packet: parse(serialize(parse(x))) equals parse(x)", (_name, body) => {
    const first = expectOk(parsePacket(body));
    const second = expectOk(parsePacket(JSON.parse(JSON.stringify(first))));
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it("does not modify the body it is given", () => {
    const body = minimalPacket();
    parsePacket(body);
    expect(body).toEqual(minimalPacket());
  });
});

describe("parsePacket: required fields", () => {
  it("reports a missing version as `version: required` (the original answered 500 KeyError)", () => {
    const problems = expectProblems(parsePacket(withoutPath(minimalPacket(), "version")));
    expect(problems).toEqual([{ path: "version", message: "required" }]);
    expect(problems.map(formatProblem)).toEqual(["version: required"]);
  });

  it("reports a missing header.persona by its path", () => {
    const problems = expectProblems(parsePacket(withoutPath(minimalPacket(), "header.persona")));
    expect(problems).toEqual([{ path: "header.persona", message: "required" }]);
  });

  // Every key of the minimal packet is required by the original, so each deletion is one problem.
  it.each(keyPaths(minimalPacket()))("reports the missing key %s by its path", (path) => {
    const problems = expectProblems(parsePacket(withoutPath(minimalPacket(), path)));
    expect(problems).toEqual([{ path, message: "required" }]);
  });

  it.each([
    "header.output_routing.primary.destination",
    "header.output_routing.secondary.0.destination",
    "context.cheatsheets.0.id",
    "context.cheatsheets.0.pointer",
    "context.relevant_history_snippet.0.summary",
    "content.data_fields.0.key",
    "content.data_fields.0.value",
    "goal_state.current_goal.source",
    "goal_state.current_goal.confidence",
    "metrics.resources.cpu_usage_percent",
  ])("reports the missing nested key %s by its path", (path) => {
    const problems = expectProblems(parsePacket(withoutPath(v05Packet(), path)));
    expect(problems).toEqual([{ path, message: "required" }]);
  });

  it.each([
    ["tool_routing", { selected_tool: {} }, "tool_routing.selected_tool.tool_name"],
    ["tool_routing", { execution_result: {} }, "tool_routing.execution_result.success"],
    ["council", { votes: [{ agent: "a" }] }, "council.votes.0.score"],
    ["loop_state", { previous_attempts: [{ approach_summary: "x" }] }, "loop_state.previous_attempts.0.failed_at"],
    ["reasoning", { sketchpad: [{ slot: "s" }] }, "reasoning.sketchpad.0.content"],
    ["reasoning", { evaluations: [{ name: "n" }] }, "reasoning.evaluations.0.passed"],
    [
      "response",
      { candidate: "", confidence: 0, stream_proposal: false, tool_calls: [{}] },
      "response.tool_calls.0.name",
    ],
  ])("reports a missing required key inside %s", (section, value, path) => {
    const problems = expectProblems(parsePacket(withPath(minimalPacket(), section, value)));
    expect(problems).toEqual([{ path, message: "required" }]);
  });

  it("accepts every section whose fields all have defaults as {}", () => {
    const body = minimalPacket((p) => {
      p.tool_routing = {};
      p.loop_state = {};
      p.goal_state = {};
      p.council = {};
      p.header.operational_status = {};
    });
    const packet = expectOk(parsePacket(body));
    expect(packet.tool_routing).toEqual(gatewayPacket().tool_routing);
    expect(packet.council).toEqual({ mode: "solo", participants: [], votes: [] });
    expect(packet.goal_state).toEqual({ current_goal: null, previous_goals: [], turn_count: 0, goal_shifts: 0 });
    expect(packet.loop_state).toMatchObject({
      reset_count: 0,
      confidence: 0,
      in_recovery: false,
      previous_attempts: [],
    });
  });

  it("lists every problem at once, in document order", () => {
    const body = minimalPacket((p) => {
      const wire = p as Record<string, unknown>;
      delete wire.version;
      delete wire.status;
    });
    const broken = withPath(withPath(body, "header.origin", "USER"), "content.original_prompt", 42);
    expect(expectProblems(parsePacket(broken)).map(formatProblem)).toEqual([
      "version: required",
      "header.origin: expected one of user|system|agent|sidecar",
      "content.original_prompt: expected string, received integer",
      "status: required",
    ]);
  });

  it("gives one problem at (root) for a body that is not an object", () => {
    for (const body of [[], "packet", null, 42, true, undefined]) {
      const problems = expectProblems(parsePacket(body));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.path).toBe("(root)");
    }
    expect(expectProblems(parsePacket([minimalPacket()])).map(formatProblem)).toEqual([
      "(root): expected object, received array",
    ]);
    expect(expectProblems(parsePacket({})).map((p) => p.path)).toEqual([...REQUIRED_PACKET_FIELDS]);
  });
});

describe("parsePacket: enums", () => {
  it("uses the exact value strings of the original widened for v0.5", () => {
    expect(PERSONA_ROLE_VALUES).toEqual(["Default", "CodeMind", "Analyst", "GISEA", "Narrator", "Other", "assistant"]);
    expect(ORIGIN_VALUES).toEqual(["user", "system", "agent", "sidecar"]);
    expect(TARGET_ENGINE_VALUES).toEqual(["Prime", "Lite", "CodeMind", "Council", "Core"]);
    expect(SYSTEM_TASK_VALUES).toEqual([
      "IntentDetection",
      "Research",
      "GenerateDraft",
      "Refine",
      "Validate",
      "Decision",
      "Stream",
      "TriggerAction",
      "ToolRouting",
      "ToolExecution",
    ]);
    expect(TOOL_EXECUTION_STATUS_VALUES).toEqual([
      "pending",
      "awaiting_confidence",
      "approved",
      "executed",
      "failed",
      "skipped",
      "user_denied",
      "awaiting_approval",
    ]);
    expect(PACKET_STATE_VALUES).toEqual([
      "initialized",
      "processing",
      "awaiting_tool",
      "awaiting_human",
      "ready_to_stream",
      "completed",
      "aborted",
    ]);
    expect(OUTPUT_DESTINATION_VALUES).toEqual(["cli", "web", "discord", "api", "webhook", "log", "broadcast", "audio"]);
    expect(GOAL_CONFIDENCE_VALUES).toEqual(["high", "medium", "low"]);
  });

  it.each([
    ["header.origin", "USER", "expected one of user|system|agent|sidecar"],
    ["header.origin", "User", "expected one of user|system|agent|sidecar"],
    ["header.origin", 0, "expected one of user|system|agent|sidecar"],
    ["header.persona.role", "default", "expected one of Default|CodeMind|Analyst|GISEA|Narrator|Other|assistant"],
    ["header.routing.target_engine", "prime", "expected one of Prime|Lite|CodeMind|Council|Core"],
    ["intent.system_task", "Chat", `expected one of ${SYSTEM_TASK_VALUES.join("|")}`],
    ["status.state", "done", `expected one of ${PACKET_STATE_VALUES.join("|")}`],
    ["header.output_routing.primary.destination", "Web", `expected one of ${OUTPUT_DESTINATION_VALUES.join("|")}`],
    ["header.output_routing.source_destination", "sms", `expected one of ${OUTPUT_DESTINATION_VALUES.join("|")}`],
    ["tool_routing.execution_status", "PENDING", `expected one of ${TOOL_EXECUTION_STATUS_VALUES.join("|")}`],
  ])("rejects %s = %j, listing the options", (path, value, message) => {
    const problems = expectProblems(parsePacket(withPath(gatewayPacket(), path, value)));
    expect(problems).toEqual([{ path, message }]);
  });

  it("accepts every value of every enum", () => {
    for (const role of PERSONA_ROLE_VALUES)
      expectOk(parsePacket(withPath(minimalPacket(), "header.persona.role", role)));
    for (const origin of ORIGIN_VALUES) expectOk(parsePacket(withPath(minimalPacket(), "header.origin", origin)));
    for (const engine of TARGET_ENGINE_VALUES) {
      expectOk(parsePacket(withPath(minimalPacket(), "header.routing.target_engine", engine)));
    }
    for (const task of SYSTEM_TASK_VALUES) expectOk(parsePacket(withPath(minimalPacket(), "intent.system_task", task)));
    for (const state of PACKET_STATE_VALUES) expectOk(parsePacket(withPath(minimalPacket(), "status.state", state)));
    for (const status of TOOL_EXECUTION_STATUS_VALUES) {
      expectOk(parsePacket(withPath(gatewayPacket(), "tool_routing.execution_status", status)));
    }
    for (const destination of OUTPUT_DESTINATION_VALUES) {
      expectOk(parsePacket(withPath(gatewayPacket(), "header.output_routing.primary.destination", destination)));
    }
    for (const confidence of GOAL_CONFIDENCE_VALUES) {
      expectOk(parsePacket(withPath(v05Packet(), "goal_state.current_goal.confidence", confidence)));
    }
  });
});

describe("parsePacket: versions", () => {
  // the original's version strings, plus the later "v0.5"
  it.each(["0.2", "0.3", "v0.3", "0.3.0-smoke", "v0.5"])("accepts version %j", (version) => {
    expect(parsePacket(minimalPacket({ version }))).toMatchObject({ ok: true, version });
  });

  it("rejects an empty or non-string version", () => {
    expect(expectProblems(parsePacket(minimalPacket({ version: "" }))).map(formatProblem)).toEqual([
      "version: must be a non-empty string",
    ]);
    expect(expectProblems(parsePacket(withPath(minimalPacket(), "version", 0.3))).map(formatProblem)).toEqual([
      "version: expected string, received number",
    ]);
    expect(expectProblems(parsePacket(withPath(minimalPacket(), "version", null))).map(formatProblem)).toEqual([
      "version: expected string, received null",
    ]);
  });
});

describe("parsePacket: forward compatibility", () => {
  it("keeps unknown keys at the top level and at every nested level", () => {
    const body = gatewayPacket((p) => {
      Object.assign(p, { trace: { id: "t-1" } });
      Object.assign(p.header.persona, { voice: "aria" });
      Object.assign(p.header.model, { quantization: "Q8_0" });
      Object.assign(p.content, { extra: [1, 2] });
      Object.assign(p.governance.signatures, { algorithm: "sha256" });
    });
    const packet = expectOk(parsePacket(body));
    expect(packet).toEqual(body);
    expect(packet.trace).toEqual({ id: "t-1" });
    expect(packet.header.persona.voice).toBe("aria");
    expect(packet.header.model.quantization).toBe("Q8_0");
    expect(packet.content.extra).toEqual([1, 2]);
    expect(packet.governance.signatures.algorithm).toBe("sha256");
  });

  it("keeps unknown keys inside list items", () => {
    const body = withPath(v05Packet(), "context.cheatsheets.0.weight", 3);
    const packet = expectOk(parsePacket(body));
    expect(packet.context.cheatsheets[0]).toMatchObject({ id: "cs-1", weight: 3, ref_type: null });
  });

  it("accepts a v0.5 packet and returns it intact (defaults added, nothing dropped)", () => {
    const body = v05Packet();
    const packet = expectOk(parsePacket(body));
    expect(packet).toMatchObject(body);
    expect(packet.version).toBe("v0.5");
    expect(packet.header.persona.role).toBe("assistant");
    expect(packet.header.routing.target_engine).toBe("Core");
    expect(packet.content.audio_payloads).toEqual(body.content.audio_payloads);
    expect(packet.content.timeline).toEqual(body.content.timeline);
    expect(packet.governance.security_scan).toEqual(body.governance.security_scan);
    expect(packet.trace_context).toEqual(body.trace_context);
    expect(packet.header.persona.voice_profile).toBe("aria-warm");
    expect(packet.goal_state?.current_goal?.ttl_turns).toBe(5);
    // A defaulted field inside a list item is filled in, as the original's decode would.
    expect(packet.header.output_routing?.secondary[0]).toEqual({
      destination: "discord",
      channel_id: "4242",
      user_id: null,
      reply_to_message_id: null,
      persona_override: null,
      format_hint: null,
      metadata: {},
    });
  });

  it("leaves the v0.5 sections absent when they were not sent", () => {
    const packet = expectOk(parsePacket(minimalPacket()));
    expect("audio_payloads" in packet.content).toBe(false);
    expect("timeline" in packet.content).toBe(false);
    expect("security_scan" in packet.governance).toBe(false);
  });
});

describe("parsePacket: types", () => {
  it.each([
    "header.parent_packet_id",
    "header.output_routing",
    "header.operational_status",
    "header.persona.tone_hint",
    "header.model.temperature",
    "header.model.max_output_tokens",
    "header.output_routing.source_destination",
    "context.available_mcp_tools",
    "metrics.cost_estimate",
    "metrics.resources",
    "metrics.semantic_probe",
    "metrics.token_usage.projected_tokens",
    "governance.privacy.pii_detected",
    "schema_id",
    "council",
    "tool_routing",
    "loop_state",
    "goal_state",
    "goal_state.current_goal",
    "content.audio_payloads",
    "governance.security_scan",
  ])("accepts an explicit null for the Optional field %s", (path) => {
    const packet = expectOk(parsePacket(withPath(v05Packet(), path, null)));
    expect(valueAt(packet, path)).toBeNull();
  });

  it("accepts null and any JSON value for Any-typed fields", () => {
    for (const value of [null, 0, 1.5, "s", [], { nested: [true] }]) {
      const packet = expectOk(parsePacket(withPath(gatewayPacket(), "content.data_fields.0.value", value)));
      expect(packet.content.data_fields[0]?.value).toEqual(value);
    }
  });

  it.each([
    ["header.routing.allow_parallel", "false", "expected boolean, received string"],
    ["header.routing.priority", "5", "expected integer, received string"],
    ["header.routing.priority", 5.5, "expected integer, received number"],
    ["header.model.context_window_tokens", 8192.5, "expected integer, received number"],
    ["metrics.latency_ms", -0.5, "expected integer, received number"],
    ["intent.confidence", "0.9", "expected number, received string"],
    ["header.model.temperature", true, "expected number, received boolean"],
    ["header.lineage", "p0", "expected array, received string"],
    ["header.persona.traits", [], "expected record, received array"],
    ["header.session_id", 7, "expected string, received integer"],
    ["header.persona", "Default", "expected object, received string"],
    ["response.stream_proposal", 0, "expected boolean, received integer"],
    ["status.finalized", null, "expected boolean, received null"],
  ])("rejects %s = %j without coercing", (path, value, message) => {
    const problems = expectProblems(parsePacket(withPath(gatewayPacket(), path, value)));
    expect(problems).toEqual([{ path, message }]);
  });

  it("takes whole numbers in float fields and any finite number", () => {
    const packet = expectOk(parsePacket(withPath(gatewayPacket(), "header.model.temperature", 1)));
    expect(packet.header.model.temperature).toBe(1);
    expectOk(parsePacket(withPath(gatewayPacket(), "intent.confidence", -1e-300)));
  });

  it("rejects non-finite numbers", () => {
    for (const value of [Infinity, -Infinity, NaN]) {
      const problems = expectProblems(parsePacket(withPath(gatewayPacket(), "intent.confidence", value)));
      expect(problems.map((p) => p.path)).toEqual(["intent.confidence"]);
    }
  });
});
