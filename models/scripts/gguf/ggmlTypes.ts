/**
 * The ggml tensor types the generator can write, with their on-disk ids and block layouts
 * (from ggml.h / ggml-common.h). Only the handful a synthetic llama model needs.
 */
export type GgmlType = "F32" | "F16" | "Q8_0" | "Q4_0";

/** All writable types, for CLI validation. */
export const GGML_TYPES: readonly GgmlType[] = ["F32", "F16", "Q8_0", "Q4_0"];

/** `enum ggml_type` values as stored in a GGUF tensor info. */
export const GGML_TYPE_ID: Readonly<Record<GgmlType, number>> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 };

/** `enum llama_ftype` for `general.file_type` (informational for loaders and `gguf-dump`). */
export const LLAMA_FILE_TYPE: Readonly<Record<GgmlType, number>> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7 };

/** Bytes per block and elements per block. Quantized blocks are one f16 scale followed by packed values. */
export const GGML_BLOCK: Readonly<Record<GgmlType, { bytes: number; elements: number }>> = {
  F32: { bytes: 4, elements: 1 },
  F16: { bytes: 2, elements: 1 },
  Q8_0: { bytes: 34, elements: 32 },
  Q4_0: { bytes: 18, elements: 32 },
};

/** Size in bytes of a tensor's data; the first (contiguous) dimension must fill whole blocks. */
export function tensorByteSize(dims: readonly number[], type: GgmlType): number {
  const block = GGML_BLOCK[type];
  const ne0 = dims[0] ?? 1;
  if (ne0 % block.elements !== 0) {
    throw new RangeError(`tensor dimension ${ne0} is not a multiple of the ${type} block size ${block.elements}`);
  }
  const elements = dims.reduce((a, b) => a * b, 1);
  return (elements / block.elements) * block.bytes;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary16 bits of `value`, round-to-nearest-even; the f16 scales of quantized blocks use it. */
export function toFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  let mantissa = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // inf / NaN
  if (exponent >= 31) return sign | 0x7c00; // overflow to infinity
  if (exponent <= 0) {
    if (exponent < -10) return sign; // underflow to zero
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    const half = 1 << (shift - 1);
    const rounded = mantissa + half - 1 + ((mantissa >>> shift) & 1);
    return sign | (rounded >>> shift);
  }
  const rounded = mantissa + 0xfff + ((mantissa >>> 13) & 1);
  // a carry out of the mantissa correctly bumps the exponent (and saturates to inf at the top)
  return (sign | ((exponent << 10) + (rounded >>> 13))) & 0xffff;
}
