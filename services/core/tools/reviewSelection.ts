import type { CognitionPacket } from "../../../shared/packet/index.js";
import type { InferenceEngine } from "../inference/InferenceEngine.js";
import { clampConfidence, constrainedCall, type RoutingCallLimits } from "./constrainedCall.js";
import { CONFIDENCE_SCHEMA, REASONING_SCHEMA } from "./selectionSchema.js";
import type { Selection } from "./selectTool.js";

/** The original's review temperature. */
const REVIEW_TEMPERATURE = 0.3;
const REVIEW_MAX_TOKENS = 256;

const REVIEW_SCHEMA = {
  type: "object",
  properties: { approved: { type: "boolean" }, confidence: CONFIDENCE_SCHEMA, reasoning: REASONING_SCHEMA },
  required: ["approved", "confidence", "reasoning"],
  additionalProperties: false,
};

/** The reviewer's verdict on a selection. */
export interface Review {
  approved: boolean;
  confidence: number;
  reasoning: string;
}

/** A second grammar-constrained call, as the original: should this tool run with these params for this request? */
export async function reviewSelection(
  engine: InferenceEngine,
  packet: CognitionPacket,
  selection: Selection & { tool: string },
  limits: RoutingCallLimits = {},
): Promise<Review> {
  const seed = packet.header.model.seed;
  const answer = (await constrainedCall(engine, {
    call: "review",
    sessionKey: packet.header.session_id,
    messages: [
      {
        role: "system",
        content:
          "You review a tool call before it runs. Approve it only if the tool and params serve the request. " +
          "Answer with JSON: approved, confidence (0 to 1), reasoning (one sentence).",
      },
      {
        role: "user",
        content:
          `Request: ${packet.content.original_prompt}\nTool: ${selection.tool}\n` +
          `Params: ${JSON.stringify(selection.params)}\nWhy: ${selection.reasoning}`,
      },
    ],
    schema: REVIEW_SCHEMA,
    temperature: REVIEW_TEMPERATURE,
    maxTokens: REVIEW_MAX_TOKENS,
    ...(typeof seed === "number" ? { seed } : {}),
    ...limits,
  })) as { approved?: unknown; confidence?: unknown; reasoning?: unknown };
  return {
    approved: answer.approved === true,
    confidence: clampConfidence(answer.confidence),
    reasoning: typeof answer.reasoning === "string" ? answer.reasoning : "",
  };
}
