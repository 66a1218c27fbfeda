/**
 * Builds a GPT-2 style byte-level BPE vocabulary (tokens + ranked merges) by training on a small corpus, in the form
 * llama.cpp expects for `tokenizer.ggml.model = "gpt2"`. Deterministic: same corpus and merge count, same output.
 */
import { TRAINING_CORPUS } from "./trainingCorpus.js";

/** A trained byte-level BPE vocabulary. */
export interface BpeVocabulary {
  /** 256 byte tokens (id = byte value) followed by one token per merge, in merge order. */
  tokens: string[];
  /** Merges as "left right" in rank order (llama.cpp reads `tokenizer.ggml.merges` this way). */
  merges: string[];
}

/**
 * GPT-2's byte → printable character table: bytes that are printable keep their character, the rest are shifted
 * above U+0100 (so a space becomes "Ġ", a newline "Ċ").
 */
export function byteToUnicodeTable(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCodePoint(b);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCodePoint(256 + shifted++);
  }
  return table;
}

/**
 * The splits llama.cpp applies for `tokenizer.ggml.pre = "default"`, in order: punctuation runs, the GPT-2 word regex,
 * digit runs, then groups of three digits. Training on the same pieces keeps the merges relevant at inference.
 */
const PRE_TOKENIZER_REGEXES: readonly RegExp[] = [
  /[\p{P}$+<=>^~|]+/gu,
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)/gu,
  /\p{N}+/gu,
  /[0-9][0-9][0-9]/gu,
];

/** Splits `text` into matches of `regex` and the gaps between them (both kept, like llama.cpp's unicode_regex_split). */
function splitKeepingGaps(text: string, regex: RegExp): string[] {
  const pieces: string[] = [];
  let last = 0;
  for (const match of text.matchAll(regex)) {
    const start = match.index;
    if (start > last) pieces.push(text.slice(last, start));
    if (match[0].length > 0) pieces.push(match[0]);
    last = start + match[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}

/** Pre-tokenizes text into words the way the "default" pre-tokenizer does. */
export function preTokenize(text: string): string[] {
  let pieces = [text];
  for (const regex of PRE_TOKENIZER_REGEXES) pieces = pieces.flatMap((p) => splitKeepingGaps(p, regex));
  return pieces;
}

/**
 * Trains up to `maxMerges` merges, stopping early when no pair occurs `minPairCount` times (2 by default; 1 trains to
 * completion: every pre-tokenized word of the corpus becomes one token). Ties go to the lexically smaller pair.
 */
export function trainBpeVocabulary(
  maxMerges: number,
  corpus: string = TRAINING_CORPUS,
  minPairCount = 2,
): BpeVocabulary {
  const byteChars = byteToUnicodeTable();
  const wordCounts = new Map<string, number>();
  for (const word of preTokenize(corpus)) {
    const key = [...Buffer.from(word, "utf8")].map((b) => byteChars[b]!).join("\u0000");
    wordCounts.set(key, (wordCounts.get(key) ?? 0) + 1);
  }
  let words = [...wordCounts].map(([key, count]) => ({ symbols: key.split("\u0000"), count }));
  const tokens = byteChars.slice();
  const known = new Set(tokens);
  const merges: string[] = [];

  while (merges.length < maxMerges) {
    const pairCounts = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const pair = `${symbols[i]} ${symbols[i + 1]}`;
        pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = minPairCount - 1;
    for (const [pair, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && best !== undefined && pair < best)) {
        best = pair;
        bestCount = count;
      }
    }
    if (best === undefined) break;
    const [left, right] = best.split(" ") as [string, string];
    const merged = left + right;
    merges.push(best);
    if (!known.has(merged)) {
      known.add(merged);
      tokens.push(merged);
    }
    words = words.map(({ symbols, count }) => ({ symbols: applyMerge(symbols, left, right, merged), count }));
  }
  return { tokens, merges };
}

function applyMerge(symbols: string[], left: string, right: string, merged: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      out.push(merged);
      i++;
    } else {
      out.push(symbols[i]!);
    }
  }
  return out;
}

/**
 * An encoder for plain text (no special tokens) that works as llama.cpp's gpt2 tokenizer does: pre-tokenize, map
 * bytes to GPT-2 characters, then repeatedly merge the adjacent pair with the lowest merge rank. Returns token strings.
 */
export function bpeEncoder(merges: readonly string[]): (text: string) => string[] {
  const byteChars = byteToUnicodeTable();
  const rank = new Map<string, number>();
  for (const [i, merge] of merges.entries()) if (!rank.has(merge)) rank.set(merge, i);
  const cache = new Map<string, string[]>();
  return (text) => {
    const out: string[] = [];
    for (const word of preTokenize(text)) {
      let symbols = cache.get(word);
      if (!symbols) {
        symbols = [...Buffer.from(word, "utf8")].map((b) => byteChars[b]!);
        for (;;) {
          let bestIndex = -1;
          let bestRank = Number.POSITIVE_INFINITY;
          for (let i = 0; i + 1 < symbols.length; i++) {
            const r = rank.get(`${symbols[i]} ${symbols[i + 1]}`);
            if (r !== undefined && r < bestRank) {
              bestRank = r;
              bestIndex = i;
            }
          }
          if (bestIndex < 0) break;
          const [left, right] = merges[bestRank]!.split(" ") as [string, string];
          symbols = applyMerge(symbols, left, right, left + right);
        }
        cache.set(word, symbols);
      }
      out.push(...symbols);
    }
    return out;
  };
}
