/**
 * GBNF for integer ranges, built digit by digit as llama.cpp's json-schema-to-grammar does: the canonical decimal form
 * of every integer in [min, max] (no leading zeros, no "-0") and nothing else.
 */
import { gbnfRepeat } from "./gbnfText.js";

function digitClass(from: number, to: number): string {
  return from === to ? `[${from}]` : `[${from}-${to}]`;
}

function anyDigits(count: number): string {
  return gbnfRepeat("[0-9]", count, count);
}

/** Same-length decimal strings a ≤ b: the strings of that length between them, as one GBNF sequence. */
function sameLengthRange(a: string, b: string): string {
  let common = 0;
  while (common < a.length && a[common] === b[common]) common++;
  const head = common > 0 ? `"${a.slice(0, common)}"` : "";
  if (common === a.length) return head;
  const x = Number(a[common]);
  const y = Number(b[common]);
  const rest = a.length - common - 1;
  if (rest === 0) return [head, digitClass(x, y)].filter(Boolean).join(" ");
  const aTail = a.slice(common + 1);
  const bTail = b.slice(common + 1);
  const alternatives: string[] = [];
  let from = x;
  let to = y;
  if (aTail !== "0".repeat(rest)) {
    alternatives.push(`[${x}] ${sameLengthRange(aTail, "9".repeat(rest))}`);
    from = x + 1;
  }
  let upper: string | undefined;
  if (bTail !== "9".repeat(rest)) {
    upper = `[${y}] ${sameLengthRange("0".repeat(rest), bTail)}`;
    to = y - 1;
  }
  if (from <= to) alternatives.push(`${digitClass(from, to)} ${anyDigits(rest)}`);
  if (upper) alternatives.push(upper);
  const body = alternatives.length === 1 ? (alternatives[0] ?? "") : `(${alternatives.join(" | ")})`;
  return [head, body].filter(Boolean).join(" ");
}

const pow10 = (digits: number): bigint => 10n ** BigInt(digits);

/** Alternatives for 0 ≤ lo ≤ hi; runs of whole digit lengths collapse into one `[1-9] [0-9]{m,n}`. */
function nonNegativeAlternatives(lo: bigint, hi: bigint): string[] {
  const alternatives: string[] = [];
  let start = lo;
  if (start === 0n) {
    alternatives.push('"0"');
    start = 1n;
  }
  while (start <= hi) {
    const digits = start.toString().length;
    if (start === pow10(digits - 1) && hi >= pow10(digits) - 1n) {
      let lastFull = digits;
      while (hi >= pow10(lastFull + 1) - 1n) lastFull++;
      const more = gbnfRepeat("[0-9]", digits - 1, lastFull - 1);
      alternatives.push(more === "" ? "[1-9]" : `[1-9] ${more}`);
      start = pow10(lastFull);
      continue;
    }
    const top = pow10(digits) - 1n;
    const end = hi < top ? hi : top;
    alternatives.push(sameLengthRange(start.toString(), end.toString()));
    start = end + 1n;
  }
  return alternatives;
}

/**
 * The alternatives (to be joined with " | ") matching exactly the integers min..max in canonical JSON form;
 * an empty list when min > max.
 */
export function integerRangeAlternatives(min: bigint, max: bigint): string[] {
  if (min > max) return [];
  if (max < 0n) return [`"-" (${nonNegativeAlternatives(-max, -min).join(" | ")})`];
  if (min < 0n) return [`"-" (${nonNegativeAlternatives(1n, -min).join(" | ")})`, ...nonNegativeAlternatives(0n, max)];
  return nonNegativeAlternatives(min, max);
}
