/**
 * A JS RegExp from the GBNF subset our JSON-schema converter writes (literals, classes, groups, `|`, `? * +`, `{m,n}`,
 * rule references): a test-side reading of the grammar, independent of the converter, so checks can catch its mistakes.
 * Recursive rules are unrolled `recursionDepth` times, then match nothing.
 */

export type Token =
  | { kind: "literal"; text: string }
  | { kind: "class"; negated: boolean; items: [number, number][] }
  | { kind: "ref"; name: string }
  | { kind: "op"; text: string };

function readChar(text: string, at: number): [number, number] {
  if (text[at] !== "\\") {
    const code = text.codePointAt(at) ?? 0;
    return [code, at + String.fromCodePoint(code).length];
  }
  const esc = text[at + 1];
  const hexLength = esc === "x" ? 2 : esc === "u" ? 4 : esc === "U" ? 8 : 0;
  if (hexLength) return [Number.parseInt(text.slice(at + 2, at + 2 + hexLength), 16), at + 2 + hexLength];
  const simple: Record<string, number> = { n: 10, r: 13, t: 9, "\\": 92, '"': 34, "[": 91, "]": 93 };
  const code = esc === undefined ? undefined : simple[esc];
  if (code === undefined) throw new Error(`unknown escape \\${esc} in ${text}`);
  return [code, at + 2];
}

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < body.length) {
    const char = body[at] ?? "";
    if (/\s/.test(char)) at++;
    else if (char === '"') {
      let text = "";
      at++;
      while (body[at] !== '"') {
        const [code, next] = readChar(body, at);
        text += String.fromCodePoint(code);
        at = next;
      }
      at++;
      tokens.push({ kind: "literal", text });
    } else if (char === "[") {
      at++;
      const negated = body[at] === "^";
      if (negated) at++;
      const items: [number, number][] = [];
      while (body[at] !== "]") {
        const [from, next] = readChar(body, at);
        at = next;
        if (body[at] === "-" && body[at + 1] !== "]") {
          const [to, after] = readChar(body, at + 1);
          items.push([from, to]);
          at = after;
        } else items.push([from, from]);
      }
      at++;
      tokens.push({ kind: "class", negated, items });
    } else if (char === "{") {
      const end = body.indexOf("}", at);
      tokens.push({ kind: "op", text: body.slice(at, end + 1) });
      at = end + 1;
    } else if ("()|?*+".includes(char)) {
      tokens.push({ kind: "op", text: char });
      at++;
    } else {
      const name = /^[a-zA-Z0-9-]+/.exec(body.slice(at))?.[0];
      if (!name) throw new Error(`cannot read GBNF at "${body.slice(at, at + 20)}"`);
      tokens.push({ kind: "ref", name });
      at += name.length;
    }
  }
  return tokens;
}

const hex = (code: number) => `\\u{${code.toString(16)}}`;

/** Parses `name ::= body` lines (one rule per line). */
export function parseGbnf(grammar: string): Map<string, Token[]> {
  const rules = new Map<string, Token[]>();
  for (const line of grammar.split("\n")) {
    if (line.trim() === "") continue;
    const match = /^([a-zA-Z0-9-]+) ::= (.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) throw new Error(`not a rule line: ${line}`);
    if (rules.has(match[1])) throw new Error(`rule ${match[1]} defined twice`);
    rules.set(match[1], tokenize(match[2]));
  }
  return rules;
}

/** A RegExp source for rule `root` of `rules`. */
export function gbnfRegExpSource(rules: Map<string, Token[]>, root: string, recursionDepth = 0): string {
  const active = new Map<string, number>();
  const ruleSource = (name: string): string => {
    const tokens = rules.get(name);
    if (!tokens) throw new Error(`undefined rule ${name}`);
    const depth = active.get(name) ?? 0;
    if (depth > recursionDepth) return "(?!)";
    active.set(name, depth + 1);
    const source = tokens
      .map((token) => {
        if (token.kind === "literal") return `(?:${[...token.text].map((c) => hex(c.codePointAt(0) ?? 0)).join("")})`;
        if (token.kind === "class")
          return `[${token.negated ? "^" : ""}${token.items.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join("")}]`;
        if (token.kind === "ref") return `(?:${ruleSource(token.name)})`;
        return token.text === "(" ? "(?:" : token.text;
      })
      .join("");
    active.set(name, depth);
    return source;
  };
  return ruleSource(root);
}

/** The whole grammar (its `root` rule) as an anchored RegExp. */
export function gbnfToRegExp(grammar: string, root = "root", recursionDepth = 0): RegExp {
  return new RegExp(`^(?:${gbnfRegExpSource(parseGbnf(grammar), root, recursionDepth)})$`, "u");
}
