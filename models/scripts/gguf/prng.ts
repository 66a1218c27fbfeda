/**
 * Deterministic pseudo-random numbers for generated weights. Integer-only arithmetic, so the same seed gives the
 * same bits on every machine and Node version (no Math.random, no transcendental functions).
 */

/** xoshiro128** (Blackman & Vigna), seeded through splitmix32. Period 2^128 - 1, fast 32-bit output. */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix32 = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32() || 1; // the all-zero state is the one state it must avoid
  }

  /** Next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [-1, 1). */
  nextSigned(): number {
    return this.nextFloat() * 2 - 1;
  }

  /** Approximately standard normal (Irwin–Hall sum of 4 uniforms, rescaled): cheap and exactly reproducible. */
  nextGaussian(): number {
    const sum = this.nextFloat() + this.nextFloat() + this.nextFloat() + this.nextFloat();
    return (sum - 2) * SQRT3; // variance of the sum is 4/12 = 1/3
  }
}

const SQRT3 = Math.sqrt(3);

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** FNV-1a of `name` mixed with `seed`: each tensor gets its own stream, independent of the order tensors are written in. */
export function deriveSeed(seed: number, name: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
