/**
 * Depth and size limits for free-form JSON (a packet's kept unknown keys and `Any` fields, an OpenAI request's JSON
 * Schemas). Hashing, storing and rendering walk such values recursively, so a value nested a few thousand deep overflows
 * the stack after the turn is stored; it is refused at validation instead. The walk itself is iterative and stops at the
 * first violation, so checking costs O(values) and never recurses.
 */

/** Nesting below the body's root: the packet's own structure is under 10 deep, so 64 leaves kept values ample room. */
export const MAX_JSON_DEPTH = 64;
/** JSON values in one body: more than any real packet holds, few enough that walking them stays cheap. */
export const MAX_JSON_VALUES = 250_000;

/** Where a value broke a limit: its path segments below the checked value, and what was wrong. */
export interface JsonLimitViolation {
  path: (string | number)[];
  message: string;
}

export interface JsonLimits {
  maxDepth: number;
  maxValues: number;
}

const DEFAULT_LIMITS: JsonLimits = { maxDepth: MAX_JSON_DEPTH, maxValues: MAX_JSON_VALUES };

interface Pending {
  value: unknown;
  depth: number;
  /** Parent link instead of a copied path, so the walk allocates O(1) per value; the path is built only on failure. */
  parent: Pending | null;
  key: string | number;
}

/** The first value of `root` that is nested deeper than `maxDepth`, or the count beyond `maxValues`; null if none. */
export function jsonLimitViolation(root: unknown, limits: JsonLimits = DEFAULT_LIMITS): JsonLimitViolation | null {
  const stack: Pending[] = [{ value: root, depth: 0, parent: null, key: "" }];
  let seen = 0;
  while (stack.length > 0) {
    const node = stack.pop() as Pending;
    seen += 1;
    if (seen > limits.maxValues)
      return { path: [], message: `holds more than ${limits.maxValues} JSON values (the limit)` };
    if (typeof node.value !== "object" || node.value === null) continue;
    if (node.depth >= limits.maxDepth) {
      const hasChildren = Array.isArray(node.value) ? node.value.length > 0 : Object.keys(node.value).length > 0;
      if (hasChildren)
        return { path: pathOf(node), message: `nested deeper than ${limits.maxDepth} levels (the limit)` };
      continue;
    }
    if (Array.isArray(node.value)) {
      for (let i = node.value.length - 1; i >= 0; i--)
        stack.push({ value: node.value[i], depth: node.depth + 1, parent: node, key: i });
    } else {
      for (const [key, child] of Object.entries(node.value))
        stack.push({ value: child, depth: node.depth + 1, parent: node, key });
    }
  }
  return null;
}

function pathOf(node: Pending): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Pending | null = node; at?.parent; at = at.parent) path.push(at.key);
  return path.reverse();
}
