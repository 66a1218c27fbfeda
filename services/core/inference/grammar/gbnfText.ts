/** Writing GBNF text (llama.cpp's grammar format): literals, character classes, repetition. */

function hex(codePoint: number): string {
  if (codePoint <= 0xff) return `\\x${codePoint.toString(16).padStart(2, "0").toUpperCase()}`;
  if (codePoint <= 0xffff) return `\\u${codePoint.toString(16).padStart(4, "0").toUpperCase()}`;
  return `\\U${codePoint.toString(16).padStart(8, "0").toUpperCase()}`;
}

/** A GBNF string literal matching exactly `text`; quotes, backslashes and control characters are escaped. */
export function gbnfLiteral(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) out += hex(code);
    else out += char;
  }
  return `${out}"`;
}

/** One character inside a GBNF class: letters and digits as they are, everything else as a hex escape. */
export function gbnfClassChar(char: string): string {
  return /^[A-Za-z0-9]$/.test(char) ? char : hex(char.codePointAt(0) ?? 0);
}

/** `item` repeated min..max times (max undefined: unbounded), in the shortest GBNF form; "" when max is 0. */
export function gbnfRepeat(item: string, min: number, max: number | undefined): string {
  if (max === 0) return "";
  if (max === undefined) return min === 0 ? `${item}*` : min === 1 ? `${item}+` : `${item}{${min},}`;
  if (min === max) return min === 1 ? item : `${item}{${min}}`;
  if (min === 0 && max === 1) return `${item}?`;
  return `${item}{${min},${max}}`;
}

/** Joins non-empty sequence parts with spaces. */
export function gbnfSequence(...parts: string[]): string {
  return parts.filter((part) => part !== "").join(" ");
}

/** Alternatives as one atom: parenthesised when there is more than one. */
export function gbnfAlternatives(alternatives: string[]): string {
  if (alternatives.length === 1) return alternatives[0] ?? "";
  return `(${alternatives.join(" | ")})`;
}
