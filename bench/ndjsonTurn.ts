import type { CognitionPacket } from "../shared/packet/index.js";

/** A turn posted with `Accept: application/x-ndjson`, with client-side arrival times (performance.now(), ms). */
export interface TimedTurn {
  status: number;
  sentAt: number;
  /** First `{"type":"token"}` line (null if the answer had no visible text). */
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  /** The `{"type":"flush"}` line: generation finished and the turn was saved. */
  flushAt: number | null;
  doneAt: number;
  answer: string;
  promptTokens: number;
  kvReusedTokens: number;
  completionTokens: number;
  stop: string;
  /** gaia-core only: time the packet waited for a slot, and the engine's own time to first token (reflection_log). */
  queuedMs?: number;
  engineTtftMs?: number;
  error?: string;
}

interface StreamLine {
  type: "token" | "flush" | "packet" | "error";
  value?: unknown;
}

/** Reads `key=value` facts out of the core's reflection_log summary line. */
function summaryField(summary: string, name: string): string | undefined {
  return new RegExp(`(?:^|; )${name}=([^;]+)`).exec(summary)?.[1];
}

/**
 * Reads a streamed answer line by line, each line with the time its chunk arrived, into a {@link TimedTurn}; an answer
 * that is not a 200 stream becomes the turn's error. Shared by gaia-core's NDJSON and llama-server's SSE.
 */
export async function readTimedStream(
  res: Response,
  sentAt: number,
  onLine: (line: string, at: number, turn: TimedTurn) => void,
): Promise<TimedTurn> {
  const turn: TimedTurn = {
    status: res.status,
    sentAt,
    firstTokenAt: null,
    lastTokenAt: null,
    flushAt: null,
    doneAt: 0,
    answer: "",
    promptTokens: 0,
    kvReusedTokens: 0,
    completionTokens: 0,
    stop: "",
  };
  if (!res.ok || !res.body) {
    turn.error = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    turn.doneAt = performance.now();
    return turn;
  }
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of res.body) {
    const at = performance.now();
    buffered += decoder.decode(chunk, { stream: true });
    for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
      onLine(buffered.slice(0, newline), at, turn);
      buffered = buffered.slice(newline + 1);
    }
  }
  onLine(buffered, performance.now(), turn);
  turn.doneAt = performance.now();
  return turn;
}

/** Posts one packet and records when each part of the NDJSON answer arrived. */
export async function postTimedTurn(url: string, packet: CognitionPacket): Promise<TimedTurn> {
  const sentAt = performance.now();
  const res = await fetch(`${url}/process_packet`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
    body: JSON.stringify(packet),
  });
  return readTimedStream(res, sentAt, (line, at, turn) => {
    if (!line.trim()) return;
    const event = JSON.parse(line) as StreamLine;
    if (event.type === "token") {
      turn.firstTokenAt ??= at;
      turn.lastTokenAt = at;
    } else if (event.type === "flush") {
      turn.flushAt = at;
    } else if (event.type === "error") {
      turn.error = String(event.value);
    } else if (event.type === "packet") {
      const completed = event.value as CognitionPacket;
      const summary = completed.reasoning.reflection_log.at(-1)?.summary ?? "";
      turn.answer = completed.response.candidate;
      turn.completionTokens = completed.metrics.token_usage.completion_tokens;
      turn.promptTokens = Number(summaryField(summary, "prompt_tokens") ?? completed.metrics.token_usage.prompt_tokens);
      turn.kvReusedTokens = Number(summaryField(summary, "kv_reused_tokens") ?? 0);
      turn.stop = summaryField(summary, "stop") ?? "";
      const queued = Number(summaryField(summary, "queued_ms"));
      const engine = Number(summaryField(summary, "engine_ttft_ms"));
      if (Number.isFinite(queued)) turn.queuedMs = queued;
      if (Number.isFinite(engine)) turn.engineTtftMs = engine;
    }
  });
}

/** Time to first token as the client saw it (ms), or null. */
export const ttftMs = (t: TimedTurn) => (t.firstTokenAt === null ? null : t.firstTokenAt - t.sentAt);

/** Prompt tokens the service evaluated per second: the tokens not already in the KV cache over the time to first token. */
export const promptTokensPerSecond = (t: TimedTurn) => {
  const ms = ttftMs(t);
  return ms === null || ms <= 0 ? null : (t.promptTokens - t.kvReusedTokens) / (ms / 1000);
};

/** Decode tokens per second after the first token: (completion − 1) over first token → end of generation (flush). */
export const decodeTokensPerSecond = (t: TimedTurn) => {
  const end = t.flushAt ?? t.doneAt;
  if (t.firstTokenAt === null || t.completionTokens < 2 || end <= t.firstTokenAt) return null;
  return (t.completionTokens - 1) / ((end - t.firstTokenAt) / 1000);
};
