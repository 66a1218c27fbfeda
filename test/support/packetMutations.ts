// Seeded random mutations of packets, shared by the schema fuzz test and the HTTP fuzz test.
/** mulberry32: a small seeded PRNG, so every run tries the same mutations. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Container = Record<string, unknown> | unknown[];

/** Every object or array inside `value`, the root included. */
function containers(value: unknown, out: Container[] = []): Container[] {
  if (typeof value === "object" && value !== null) {
    out.push(value as Container);
    for (const child of Object.values(value)) containers(child, out);
  }
  return out;
}

const GARBAGE: readonly unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  "",
  "x",
  "USER",
  "false",
  true,
  false,
  [],
  [null],
  {},
  { nested: { deeper: [1, "2", null] } },
  "\ud800 lone surrogate",
  "😀".repeat(50),
];

const KEYS = ["version", "header", "role", "__proto__", "constructor", "toString", "0", "", "extra"];

export function mutate(root: Record<string, unknown>, random: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const times = 1 + Math.floor(random() * 3);
  let result: unknown = root;
  for (let i = 0; i < times; i++) {
    const target = pick(containers(result));
    if (target === undefined) return pick(GARBAGE);
    const keys = Object.keys(target);
    const key = keys.length > 0 && random() < 0.8 ? pick(keys) : pick(KEYS);
    const action = random();
    if (action < 0.01) result = pick(GARBAGE);
    else if (action < 0.4) {
      if (Array.isArray(target)) target.splice(Number(key) || 0, 1);
      else delete target[key];
    } else if (action < 0.8) (target as Record<string, unknown>)[key] = structuredClone(pick(GARBAGE));
    else
      Object.defineProperty(target, pick(KEYS), {
        value: pick(GARBAGE),
        enumerable: true,
        configurable: true,
        writable: true,
      });
  }
  return result;
}
