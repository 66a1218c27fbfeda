/**
 * Random strings from a GBNF grammar (the subset our converter writes): a model-free way to explore everything the
 * grammar allows, so a test can check each sample against the schema. Negated classes draw from a pool of awkward
 * characters (quotes, backslashes, controls, non-BMP) not excluded; repetitions are kept short.
 */
import { parseGbnf, type Token } from "./gbnfToRegExp.js";

type GrammarNode =
  | { kind: "alternatives"; items: GrammarNode[] }
  | { kind: "sequence"; items: GrammarNode[] }
  | { kind: "literal"; text: string }
  | { kind: "class"; negated: boolean; items: [number, number][] }
  | { kind: "ref"; name: string }
  | { kind: "repeat"; item: GrammarNode; min: number; max: number | undefined };

function parseAlternatives(tokens: Token[], at: number): [GrammarNode, number] {
  const items: GrammarNode[] = [];
  let position = at;
  for (;;) {
    const [sequence, next] = parseSequence(tokens, position);
    items.push(sequence);
    position = next;
    const token = tokens[position];
    if (token?.kind === "op" && token.text === "|") position++;
    else return [{ kind: "alternatives", items }, position];
  }
}

function postfix(item: GrammarNode, op: string): GrammarNode {
  if (op === "?") return { kind: "repeat", item, min: 0, max: 1 };
  if (op === "*") return { kind: "repeat", item, min: 0, max: undefined };
  if (op === "+") return { kind: "repeat", item, min: 1, max: undefined };
  const [min, max] = op.slice(1, -1).split(",");
  return {
    kind: "repeat",
    item,
    min: Number(min),
    max: max === undefined ? Number(min) : max === "" ? undefined : Number(max),
  };
}

function parseSequence(tokens: Token[], at: number): [GrammarNode, number] {
  const items: GrammarNode[] = [];
  let position = at;
  for (;;) {
    const token = tokens[position];
    if (!token || (token.kind === "op" && (token.text === "|" || token.text === ")")))
      return [{ kind: "sequence", items }, position];
    if (token.kind === "op" && token.text === "(") {
      const [group, next] = parseAlternatives(tokens, position + 1);
      items.push(group);
      position = next + 1;
    } else if (token.kind === "op") {
      items.push(postfix(items.pop() as GrammarNode, token.text));
      position++;
    } else {
      items.push(token);
      position++;
    }
  }
}

const POOL = ["a", "Z", "7", " ", "-", "/", "é", "☃", "😀", '"', "\\", "\n", "\t", "\u0001", "\u007f", "{", ":"];

/** A sampler for `root` of `grammar`; `random` in [0, 1). Throws "too deep" past `maxDepth` nested rules. */
export function gbnfSampler(grammar: string, random: () => number, maxDepth = 40): (root?: string) => string {
  const rules = new Map([...parseGbnf(grammar)].map(([name, tokens]) => [name, parseAlternatives(tokens, 0)[0]]));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const sample = (node: GrammarNode, depth: number): string => {
    switch (node.kind) {
      case "alternatives":
        return sample(pick(node.items), depth);
      case "sequence":
        return node.items.map((item) => sample(item, depth)).join("");
      case "literal":
        return node.text;
      case "class": {
        const inClass = (code: number) => node.items.some(([from, to]) => code >= from && code <= to);
        if (node.negated) return pick(POOL.filter((char) => !inClass(char.codePointAt(0) ?? 0)));
        const [from, to] = pick(node.items);
        return String.fromCodePoint(from + Math.floor(random() * (to - from + 1)));
      }
      case "ref": {
        if (depth > maxDepth) throw new Error("too deep");
        const rule = rules.get(node.name);
        if (!rule) throw new Error(`undefined rule ${node.name}`);
        return sample(rule, depth + 1);
      }
      case "repeat": {
        // mostly short, sometimes the longest allowed (up to 50 more than the least)
        const longest = Math.min(node.max ?? node.min + 4, node.min + 50);
        const count =
          random() < 0.25 ? longest : node.min + Math.floor(random() * (Math.min(longest - node.min, 4) + 1));
        return Array.from({ length: count }, () => sample(node.item, depth)).join("");
      }
    }
  };
  return (root = "root") => sample({ kind: "ref", name: root }, 0);
}
