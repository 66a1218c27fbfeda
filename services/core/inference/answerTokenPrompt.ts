import { randomUUID } from "node:crypto";
import { LlamaText, type LlamaTextValue, type Token, type Tokenizer } from "node-llama-cpp";
import type { PromptMessage } from "./PromptMessage.js";

/**
 * Marks where an answer carried as tokens sits in the rendered template. Private-use characters around a per-process
 * nonce: no client text can contain it by accident or on purpose.
 */
const NONCE = randomUUID();
const marker = (index: number) => `\uE000${NONCE}:${index}\uE001`;
const MARKERS = new RegExp(`\uE000${NONCE}:(\\d+)\uE001`, "g");

/** Messages whose assistant answers made by `tokenizer` are replaced by markers, and those answers' tokens. */
export interface MarkedAnswers {
  messages: PromptMessage[];
  answers: Token[][];
}

/**
 * Replaces the text of each assistant message that carries this tokenizer's tokens (and no tool calls, which the
 * template renders around the text) by a marker; null when there is none, and the prompt is rendered from text alone.
 */
export function markAnswers(messages: readonly PromptMessage[], tokenizer: string): MarkedAnswers | null {
  const answers: Token[][] = [];
  const marked = messages.map((m): PromptMessage => {
    if (m.role !== "assistant" || m.tokens?.tokenizer !== tokenizer || m.toolCalls?.length) return m;
    answers.push(m.tokens.ids as Token[]);
    return { role: "assistant", content: marker(answers.length - 1) };
  });
  return answers.length > 0 ? { messages: marked, answers } : null;
}

/**
 * Tokenizes a rendered template the way node-llama-cpp's own `LlamaText.tokenize` does, except that each marker is
 * replaced by its answer's tokens: the text between two markers is tokenized on its own, as it was when the model
 * generated the answer after it. The part before the first answer is then exactly the prompt that answer was generated
 * from, so the KV cache that holds that prompt and the answer is reused to the end of the answer. Null when the
 * template did not keep every marker whole and once (it rewrote the answer's text): the text rendering applies.
 */
export function tokensWithAnswers(
  rendered: LlamaText,
  answers: readonly Token[][],
  tokenizer: Tokenizer,
): Token[] | null {
  const pieces: LlamaTextValue[][] = [[]];
  const order: number[] = [];
  for (const value of rendered.values) {
    if (typeof value !== "string") {
      pieces.at(-1)?.push(value);
      continue;
    }
    let from = 0;
    for (const match of value.matchAll(MARKERS)) {
      if (match.index > from) pieces.at(-1)?.push(value.slice(from, match.index));
      order.push(Number(match[1]));
      pieces.push([]);
      from = match.index + match[0].length;
    }
    if (from < value.length) pieces.at(-1)?.push(value.slice(from));
  }
  if (order.length !== answers.length || order.some((answer, i) => answer !== i)) return null;
  const tokens: Token[] = [];
  for (const [i, piece] of pieces.entries()) {
    // after the first piece there is content before: node-llama-cpp tokenizes the rest of a text that way
    tokens.push(...LlamaText(piece).tokenize(tokenizer, i > 0 ? "trimLeadingSpace" : undefined));
    const answer = answers[i];
    if (answer) tokens.push(...answer);
  }
  return tokens;
}
