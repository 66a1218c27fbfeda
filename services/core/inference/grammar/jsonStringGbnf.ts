/**
 * JSON strings exactly as JSON.stringify writes them: any character except `"`, `\` and C0 controls as itself; `\"`,
 * `\\`, `\b \f \n \r \t`; the other controls as lowercase `\u00xx`. Each character has one spelling, so a string's text
 * is determined by its value (what re-rendering with JSON.stringify relies on, and what the key exclusion below needs).
 */
import { gbnfClassChar, gbnfLiteral } from "./gbnfText.js";

const RAW_CHAR_EXCLUDED = '"\\\\\\x00-\\x1F';
/** One escape sequence, as GBNF. */
const JSON_ESCAPE_GBNF = '"\\\\" (["\\\\bfnrt] | "u00" ("0" [0-7] | "0b" | "0" [ef] | "1" [0-9a-f]))';
/** The GBNF body of a rule for one JSON string character. */
export const JSON_CHAR_GBNF = `[^${RAW_CHAR_EXCLUDED}] | ${JSON_ESCAPE_GBNF}`;

const SHORT_ESCAPES = new Map([
  [0x08, "b"],
  [0x09, "t"],
  [0x0a, "n"],
  [0x0c, "f"],
  [0x0d, "r"],
]);

/** Every escape sequence the grammar allows, as text (`\"`, `\u0001`, …). */
function allEscapes(): string[] {
  const sequences = ['\\"', "\\\\"];
  for (let code = 0; code < 0x20; code++) {
    const short = SHORT_ESCAPES.get(code);
    sequences.push(short ? `\\${short}` : `\\u${code.toString(16).padStart(4, "0")}`);
  }
  return sequences;
}

/** The text of `value` between the quotes, split into characters and escape sequences. */
function encodedUnits(value: string): string[] {
  const text = JSON.stringify(value).slice(1, -1);
  const units: string[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === "\\") {
      const length = text[i + 1] === "u" ? 6 : 2;
      units.push(text.slice(i, i + length));
      i += length;
    } else {
      const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
      units.push(char);
      i += char.length;
    }
  }
  return units;
}

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  terminal: boolean;
  id: number;
}

function buildTrie(values: readonly string[]): TrieNode[] {
  const root: TrieNode = { children: new Map(), terminal: false, id: 0 };
  const nodes = [root];
  for (const value of values) {
    let node = root;
    for (const unit of encodedUnits(value)) {
      let child = node.children.get(unit);
      if (!child) {
        child = { children: new Map(), terminal: false, id: nodes.length };
        nodes.push(child);
        node.children.set(unit, child);
      }
      node = child;
    }
    node.terminal = true;
  }
  return nodes;
}

/** Alternatives at one trie node: end here (unless excluded), follow a child, or leave the trie (then anything). */
function nodeAlternatives(node: TrieNode, name: (id: number) => string, restRule: string): string {
  const alternatives = node.terminal ? [] : ['"\\""'];
  const rawChildren: string[] = [];
  const escapeChildren = new Set<string>();
  for (const [unit, child] of node.children) {
    alternatives.push(`${gbnfLiteral(unit)} ${name(child.id)}`);
    if (unit.startsWith("\\")) escapeChildren.add(unit);
    else rawChildren.push(gbnfClassChar(unit));
  }
  alternatives.push(`[^${RAW_CHAR_EXCLUDED}${rawChildren.join("")}] ${restRule}`);
  if (escapeChildren.size === 0) alternatives.push(`${JSON_ESCAPE_GBNF} ${restRule}`);
  else {
    const others = allEscapes().filter((sequence) => !escapeChildren.has(sequence));
    alternatives.push(`(${others.map(gbnfLiteral).join(" | ")}) ${restRule}`);
  }
  return alternatives.join(" | ");
}

/**
 * Rules for a JSON string (quotes included) that is none of `excluded`: a trie over their encoded characters.
 * `restRule` must match the rest of any string and its closing quote.
 */
export function stringExcludingRules(
  excluded: readonly string[],
  ruleName: (local: string) => string,
  restRule: string,
): { root: string; rules: { name: string; body: string }[] } {
  const nodes = buildTrie(excluded);
  const name = (id: number) => ruleName(`n${id}`);
  const root = ruleName("");
  const rules = [{ name: root, body: `"\\"" ${name(0)}` }];
  for (const node of nodes) rules.push({ name: name(node.id), body: nodeAlternatives(node, name, restRule) });
  return { root, rules };
}
