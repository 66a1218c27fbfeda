/**
 * The CognitionPacket wire schema: one zod schema per dataclass of the original
 * `gaia_common/protocols/cognition_packet.py`, in declaration order, so a parsed packet has its keys in
 * the order the original's `to_dict()` emits them.
 *
 * Conventions, matching dataclasses-json at 9f07904 except where this product asks for more:
 * - a field with no default is required: a missing key is an issue at its path (the original raised KeyError → HTTP 500);
 * - a field with a default gets that default when absent, so a parsed packet is fully expanded;
 * - `Optional[X]` accepts null; `Any` accepts any JSON value (null included) but the key must be present if required;
 * - int fields take integers only, float fields any finite number; no coercion ("false" is not a bool);
 * - unknown keys are kept at every level (`z.looseObject`), for packets from newer GAIA versions.
 */
import { z } from "zod";
import {
  GoalConfidenceSchema,
  OriginSchema,
  OutputDestinationSchema,
  PacketStateSchema,
  PersonaRoleSchema,
  SystemTaskSchema,
  TargetEngineSchema,
  ToolExecutionStatusSchema,
} from "./enums.js";

// ---------------------------------------------------------------------------------------------------------------------
// Registries: facts about fields that the schema's consumers (JSON Schema, hashes) need beyond validation.

/** Names each section's schema, so the generated JSON Schema gets one `$defs` entry per dataclass under the root. */
export const packetSections = z.registry<{ id: string }>();

/**
 * Fields that GAIA added after the 9f07904 dataclasses (v0.5). They are accepted and kept, but the original
 * dataclass drops them, so `compute_hashes` never sees them (see hashes.ts).
 */
export const laterAdditions = z.registry<{ since: string }>();

function section<T extends z.ZodType>(id: string, schema: T): T {
  packetSections.add(schema as z.ZodType, { id });
  return schema;
}

function since<T extends z.ZodType>(version: string, schema: T): T {
  laterAdditions.add(schema as z.ZodType, { since: version });
  return schema;
}

// ---------------------------------------------------------------------------------------------------------------------
// Field builders, named after the Python annotations they stand for.

const str = () => z.string();
const int = () => z.int();
const float = () => z.number();
const bool = () => z.boolean();
/** `Any` (required unless a default is given): any JSON value, null included. */
const anyValue = () => z.unknown();
/** `Dict[str, Any]`. */
const dict = () => z.record(z.string(), z.unknown());

/** `Optional[X] = None`. */
function opt<T extends z.ZodType>(schema: T): z.ZodDefault<z.ZodNullable<T>> {
  // `null as never`: the default is null for every T, which TypeScript cannot see through the generic.
  return schema.nullable().default(null as never);
}

/** `List[X] = field(default_factory=list)`. */
function list<T extends z.ZodType>(item: T) {
  return z.array(item).default(() => []);
}

/** `Dict[str, Any] = field(default_factory=dict)`. */
const dictDefault = () => dict().default(() => ({}));

// ---------------------------------------------------------------------------------------------------------------------
/** Header and its parts. */

export const PersonaSchema = section(
  "Persona",
  z.looseObject({
    identity_id: str(),
    persona_id: str(),
    role: PersonaRoleSchema,
    tone_hint: opt(str()),
    safety_profile_id: opt(str()),
    traits: dictDefault(),
  }),
);

export const RoutingSchema = section(
  "Routing",
  z.looseObject({
    target_engine: TargetEngineSchema,
    allow_parallel: bool().default(false),
    priority: int().default(5),
    deadline_iso: opt(str()),
    queue_id: opt(str()),
  }),
);

export const DestinationTargetSchema = section(
  "DestinationTarget",
  z.looseObject({
    destination: OutputDestinationSchema,
    channel_id: opt(str()),
    user_id: opt(str()),
    reply_to_message_id: opt(str()),
    persona_override: opt(str()),
    format_hint: opt(str()),
    metadata: dictDefault(),
  }),
);

export const OutputRoutingSchema = section(
  "OutputRouting",
  z.looseObject({
    primary: DestinationTargetSchema,
    secondary: list(DestinationTargetSchema),
    suppress_echo: bool().default(false),
    addressed_to_gaia: bool().default(true),
    source_destination: opt(OutputDestinationSchema),
  }),
);

export const ModelSchema = section(
  "Model",
  z.looseObject({
    name: str(),
    provider: str(),
    context_window_tokens: int(),
    max_output_tokens: opt(int()),
    response_buffer_tokens: opt(int()),
    temperature: opt(float()),
    top_p: opt(float()),
    seed: opt(int()),
    stop: list(str()),
    tool_permissions: list(str()),
    allow_tools: bool().default(true),
  }),
);

export const OperationalStatusSchema = section(
  "OperationalStatus",
  z.looseObject({
    status: opt(str()),
    model: opt(str()),
    observer: opt(str()),
    confidence: opt(float()),
    intent: opt(str()),
  }),
);

export const HeaderSchema = section(
  "Header",
  z.looseObject({
    /** An ISO string as sent (web's is naive local time), not parsed into a date. */
    datetime: str(),
    session_id: str(),
    packet_id: str(),
    sub_id: str(),
    persona: PersonaSchema,
    origin: OriginSchema,
    routing: RoutingSchema,
    model: ModelSchema,
    parent_packet_id: opt(str()),
    lineage: list(str()),
    output_routing: opt(OutputRoutingSchema),
    operational_status: opt(OperationalStatusSchema),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Intent. */

export const IntentSchema = section(
  "Intent",
  z.looseObject({
    user_intent: str(),
    system_task: SystemTaskSchema,
    confidence: float(),
    tags: list(str()),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Context and its parts. */

export const SessionHistoryRefSchema = section(
  "SessionHistoryRef",
  z.looseObject({
    type: str(),
    value: str(),
  }),
);

export const RelevantHistorySnippetSchema = section(
  "RelevantHistorySnippet",
  z.looseObject({
    id: str(),
    role: str(),
    summary: str(),
  }),
);

export const CheatsheetSchema = section(
  "Cheatsheet",
  z.looseObject({
    id: str(),
    title: str(),
    version: str(),
    pointer: str(),
    ref_type: opt(str()),
  }),
);

export const ConstraintsSchema = section(
  "Constraints",
  z.looseObject({
    max_tokens: int(),
    time_budget_ms: int(),
    safety_mode: str(),
    policies: list(str()),
  }),
);

export const ContextSchema = section(
  "Context",
  z.looseObject({
    session_history_ref: SessionHistoryRefSchema,
    cheatsheets: z.array(CheatsheetSchema),
    constraints: ConstraintsSchema,
    relevant_history_snippet: list(RelevantHistorySnippetSchema),
    available_mcp_tools: opt(z.array(str())),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Content and its parts, plus the sections v0.5 added (shapes not pinned down). */

export const DataFieldSchema = section(
  "DataField",
  z.looseObject({
    key: str(),
    value: anyValue(),
    type: opt(str()),
    source: opt(str()),
    vector_refs: list(str()),
  }),
);

export const AttachmentSchema = section(
  "Attachment",
  z.looseObject({
    name: str(),
    mime: str(),
    content_hash: str(),
    bytes: opt(int()),
    location: opt(str()),
  }),
);

export const ContentSchema = section(
  "Content",
  z.looseObject({
    original_prompt: str(),
    data_fields: list(DataFieldSchema),
    attachments: list(AttachmentSchema),
    audio_payloads: since("v0.5", z.array(z.unknown()).nullable().optional()),
    timeline: since("v0.5", z.unknown().optional()),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Reasoning and its parts. ResponseFragment is unreferenced in the original, so absent. */

export const ReflectionLogSchema = section(
  "ReflectionLog",
  z.looseObject({
    step: str(),
    summary: str(),
    confidence: opt(float()),
  }),
);

export const SketchpadSchema = section(
  "Sketchpad",
  z.looseObject({
    slot: str(),
    content: anyValue(),
    content_type: opt(str()),
    expires_at: opt(str()),
  }),
);

export const EvaluationSchema = section(
  "Evaluation",
  z.looseObject({
    name: str(),
    passed: bool(),
    score: opt(float()),
    notes: opt(str()),
  }),
);

export const ReasoningSchema = section(
  "Reasoning",
  z.looseObject({
    reflection_log: list(ReflectionLogSchema),
    sketchpad: list(SketchpadSchema),
    evaluations: list(EvaluationSchema),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Tool routing state: every field has a default. */

export const SelectedToolSchema = section(
  "SelectedTool",
  z.looseObject({
    tool_name: str(),
    params: dictDefault(),
    selection_reasoning: str().default(""),
    selection_confidence: float().default(0.0),
  }),
);

export const ToolExecutionResultSchema = section(
  "ToolExecutionResult",
  z.looseObject({
    success: bool(),
    output: anyValue().default(null),
    error: opt(str()),
    execution_time_ms: int().default(0),
  }),
);

export const ToolRoutingStateSchema = section(
  "ToolRoutingState",
  z.looseObject({
    needs_tool: bool().default(false),
    routing_requested: bool().default(false),
    selected_tool: opt(SelectedToolSchema),
    alternative_tools: list(SelectedToolSchema),
    review_confidence: float().default(0.0),
    review_reasoning: str().default(""),
    execution_status: ToolExecutionStatusSchema.default("pending"),
    execution_result: opt(ToolExecutionResultSchema),
    reinjection_count: int().default(0),
    max_reinjections: int().default(3),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Response and its parts: what core fills in. */

export const ToolCallSchema = section(
  "ToolCall",
  z.looseObject({
    name: str(),
    args: opt(dict()),
    dry_run: bool().default(true),
  }),
);

export const SidecarActionSchema = section(
  "SidecarAction",
  z.looseObject({
    action_type: str(),
    params: opt(dict()),
  }),
);

export const ResponseSchema = section(
  "Response",
  z.looseObject({
    candidate: str(),
    confidence: float(),
    stream_proposal: bool(),
    tool_calls: list(ToolCallSchema),
    sidecar_actions: list(SidecarActionSchema),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Governance and its parts, plus the v0.5 `security_scan` (shape not pinned down). */

export const SafetySchema = section(
  "Safety",
  z.looseObject({
    execution_allowed: bool(),
    allowed_commands_whitelist_id: opt(str()),
    dry_run: bool().default(true),
  }),
);

export const SignaturesSchema = section(
  "Signatures",
  z.looseObject({
    header_hash: opt(str()),
    content_hash: opt(str()),
    signed_by: opt(str()),
    signature: opt(str()),
  }),
);

export const AuditSchema = section(
  "Audit",
  z.looseObject({
    created_by: opt(str()),
    created_at: opt(str()),
    modified_at: opt(str()),
    reviewers: list(str()),
    decision: opt(str()),
  }),
);

export const PrivacySchema = section(
  "Privacy",
  z.looseObject({
    pii_detected: opt(bool()),
    pii_notes: opt(str()),
  }),
);

export const GovernanceSchema = section(
  "Governance",
  z.looseObject({
    safety: SafetySchema,
    // `field(default_factory=Signatures)` etc.: an absent section comes out with all of its own defaults.
    signatures: SignaturesSchema.prefault({}),
    audit: AuditSchema.prefault({}),
    privacy: PrivacySchema.prefault({}),
    security_scan: since("v0.5", dict().nullable().optional()),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Metrics and its parts. */

export const TokenUsageSchema = section(
  "TokenUsage",
  z.looseObject({
    prompt_tokens: int(),
    completion_tokens: int(),
    total_tokens: int(),
    projected_tokens: opt(int()),
  }),
);

export const SystemResourcesSchema = section(
  "SystemResources",
  z.looseObject({
    cpu_usage_percent: float(),
    memory_usage_percent: float(),
    disk_usage_percent: float(),
    gpu_usage: dictDefault(),
    hardware_profile: dictDefault(),
  }),
);

export const MetricsSchema = section(
  "Metrics",
  z.looseObject({
    token_usage: TokenUsageSchema,
    latency_ms: int(),
    cost_estimate: opt(float()),
    errors: list(str()),
    resources: opt(SystemResourcesSchema),
    semantic_probe: opt(dict()),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Status. */

export const StatusSchema = section(
  "Status",
  z.looseObject({
    finalized: bool(),
    state: PacketStateSchema,
    next_steps: list(str()),
    observer_trace: list(str()),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Council. */

export const VoteSchema = section(
  "Vote",
  z.looseObject({
    agent: str(),
    score: float(),
    rationale: opt(str()),
  }),
);

export const CouncilSchema = section(
  "Council",
  z.looseObject({
    mode: str().nullable().default("solo"),
    participants: list(str()),
    votes: list(VoteSchema),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Loop detection state: every LoopState field has a default. */

export const LoopAttemptSchema = section(
  "LoopAttempt",
  z.looseObject({
    approach_summary: str(),
    failed_at: str(),
  }),
);

export const LoopStateSchema = section(
  "LoopState",
  z.looseObject({
    detected_at: opt(str()),
    loop_type: opt(str()),
    pattern: opt(str()),
    pattern_hash: opt(str()),
    reset_count: int().default(0),
    confidence: float().default(0.0),
    previous_attempts: list(LoopAttemptSchema),
    recovery_context: opt(str()),
    triggered_by: list(str()),
    in_recovery: bool().default(false),
    warned: bool().default(false),
    override_active: bool().default(false),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** Goal state. */

export const DetectedGoalSchema = section(
  "DetectedGoal",
  z.looseObject({
    goal_id: str(),
    description: str(),
    confidence: GoalConfidenceSchema,
    detected_at: str(),
    /** "fast_path" | "session_carry" | "llm" in the original, typed as a plain str there. */
    source: str(),
  }),
);

export const GoalStateSchema = section(
  "GoalState",
  z.looseObject({
    current_goal: opt(DetectedGoalSchema),
    previous_goals: list(DetectedGoalSchema),
    turn_count: int().default(0),
    goal_shifts: int().default(0),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
/** The packet. `version` is free text ("0.2", "0.3", "v0.3", "v0.5"…). */

export const CognitionPacketSchema = z.looseObject({
  version: str().min(1, "must be a non-empty string"),
  header: HeaderSchema,
  intent: IntentSchema,
  context: ContextSchema,
  content: ContentSchema,
  reasoning: ReasoningSchema,
  response: ResponseSchema,
  governance: GovernanceSchema,
  metrics: MetricsSchema,
  status: StatusSchema,
  schema_id: opt(str()),
  council: opt(CouncilSchema),
  tool_routing: opt(ToolRoutingStateSchema),
  loop_state: opt(LoopStateSchema),
  goal_state: opt(GoalStateSchema),
});

// ---------------------------------------------------------------------------------------------------------------------
// Types. Output types are what a parsed packet looks like (defaults expanded); the input type is what may be sent.
// Sections named with a common word (Header, Model, Context, Content, Response, Metrics, Status) get a `Packet` prefix,
// so importing one never shadows a global such as fetch's `Response` or another library's `Model`/`Context`.

/** A parsed, fully expanded packet. */
export type CognitionPacket = z.infer<typeof CognitionPacketSchema>;
/** What a client may send: defaulted fields may be absent. */
export type CognitionPacketInput = z.input<typeof CognitionPacketSchema>;

export type PacketHeader = z.infer<typeof HeaderSchema>;
export type Persona = z.infer<typeof PersonaSchema>;
export type Routing = z.infer<typeof RoutingSchema>;
export type DestinationTarget = z.infer<typeof DestinationTargetSchema>;
export type OutputRouting = z.infer<typeof OutputRoutingSchema>;
export type PacketModel = z.infer<typeof ModelSchema>;
export type Intent = z.infer<typeof IntentSchema>;
export type PacketContext = z.infer<typeof ContextSchema>;
export type RelevantHistorySnippet = z.infer<typeof RelevantHistorySnippetSchema>;
export type PacketContent = z.infer<typeof ContentSchema>;
export type DataField = z.infer<typeof DataFieldSchema>;
export type Reasoning = z.infer<typeof ReasoningSchema>;
export type ReflectionLog = z.infer<typeof ReflectionLogSchema>;
export type PacketResponse = z.infer<typeof ResponseSchema>;
export type Governance = z.infer<typeof GovernanceSchema>;
export type Signatures = z.infer<typeof SignaturesSchema>;
export type PacketMetrics = z.infer<typeof MetricsSchema>;
export type TokenUsage = z.infer<typeof TokenUsageSchema>;
export type PacketStatus = z.infer<typeof StatusSchema>;
