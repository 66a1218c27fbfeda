/**
 * Removes hidden-reasoning blocks from model output, as the original's `_strip_think_tags_robust`:
 * closed `<think>…</think>` / `<thinking>…</thinking>` blocks, an unclosed block through the end, stray or
 * truncated tags, and the same for reflection|reasoning|internal|scratchpad|planning|analysis (case-insensitive).
 */
export const HIDDEN_TAGS = [
  "think",
  "thinking",
  "reflection",
  "reasoning",
  "internal",
  "scratchpad",
  "planning",
  "analysis",
] as const;

const names = HIDDEN_TAGS.join("|");
const closedBlock = new RegExp(`<(${names})\\b[^>]*>[\\s\\S]*?</\\1\\s*>\\s*`, "gi");
const unclosedToEnd = new RegExp(`<(${names})\\b[^>]*>[\\s\\S]*$`, "i");
const strayTag = new RegExp(`</?(${names})\\b[^>]*>?`, "gi");

/** The hidden blocks removed, whitespace kept: what the session stores, so the next prompt renders the answer as generated. */
export function removeHiddenReasoning(text: string): string {
  return text.replace(closedBlock, "").replace(unclosedToEnd, "").replace(strayTag, "");
}
