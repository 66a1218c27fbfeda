/**
 * Bounds and GBNF for JSON integers and numbers. Every value the grammar allows is one JSON.stringify writes back
 * unchanged: integers up to 15 digits (all exactly representable), and fractions only on integer parts below 10^9 with
 * at most 6 decimals and no trailing zero (≤ 15 significant digits, so parsing never rounds a value across a bound).
 */
import { integerRangeAlternatives } from "./integerRange.js";

/** The largest magnitude an unbounded integer side reaches (15 digits). */
export const INTEGER_LIMIT = 10n ** 15n - 1n;
/** The largest integer part a number with a fraction may have. */
const FRACTION_INTEGER_LIMIT = 10n ** 9n - 1n;
const FRACTION = '"." [0-9]{0,5} [1-9]';

/** A bound on a value: the integer it is and whether the value must differ from it. */
export interface Bound {
  readonly value: bigint;
  readonly exclusive: boolean;
}

const minOf = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const maxOf = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** Integers in [min, max] (undefined: unbounded up to 15 digits), as GBNF alternatives; [] when none. */
export function integerAlternatives(min: bigint | undefined, max: bigint | undefined): string[] {
  const lo = min ?? minOf(-INTEGER_LIMIT, max ?? 0n);
  const hi = max ?? maxOf(INTEGER_LIMIT, lo);
  return integerRangeAlternatives(lo, hi);
}

function withFraction(alternatives: string[]): string[] {
  return alternatives.length === 0 ? [] : [`(${alternatives.join(" | ")}) ${FRACTION}`];
}

/** Negative numbers in range, written "-" y: whole magnitudes y and ones with a fraction (k.f, y > k). */
function negativeAlternatives(min: Bound | undefined, max: Bound | undefined): string[] {
  // x = -y ≤ max  ⇔  y ≥ -max (strictly when exclusive); x = -y ≥ min  ⇔  y ≤ -min (strictly when exclusive).
  const wholeLo = maxOf(1n, max ? (max.exclusive ? 1n - max.value : -max.value) : 1n);
  const wholeHi = min ? (min.exclusive ? -min.value - 1n : -min.value) : maxOf(INTEGER_LIMIT, wholeLo);
  // k < k.f < k + 1: k ≥ -max keeps y above the upper bound's floor, k ≤ -min - 1 keeps it below -min.
  const fracLo = maxOf(0n, max ? -max.value : 0n);
  const fracHi = minOf(FRACTION_INTEGER_LIMIT, min ? -min.value - 1n : FRACTION_INTEGER_LIMIT);
  const magnitudes = [
    ...integerRangeAlternatives(wholeLo, wholeHi),
    ...withFraction(integerRangeAlternatives(fracLo, fracHi)),
  ];
  return magnitudes.length === 0 ? [] : [`"-" (${magnitudes.join(" | ")})`];
}

/** Values x ≥ 0 in range: whole ones and ones with a fraction. */
function nonNegativeAlternatives(min: Bound | undefined, max: Bound | undefined): string[] {
  const wholeLo = maxOf(0n, min ? (min.exclusive ? min.value + 1n : min.value) : 0n);
  const wholeHi = max ? (max.exclusive ? max.value - 1n : max.value) : maxOf(INTEGER_LIMIT, wholeLo);
  const fracLo = maxOf(0n, min?.value ?? 0n);
  const fracHi = minOf(FRACTION_INTEGER_LIMIT, max ? max.value - 1n : FRACTION_INTEGER_LIMIT);
  return [...integerRangeAlternatives(wholeLo, wholeHi), ...withFraction(integerRangeAlternatives(fracLo, fracHi))];
}

/** JSON numbers in the range given by integer bounds (either may be absent), as GBNF alternatives; [] when none. */
export function numberAlternatives(min: Bound | undefined, max: Bound | undefined): string[] {
  return [...negativeAlternatives(min, max), ...nonNegativeAlternatives(min, max)];
}
