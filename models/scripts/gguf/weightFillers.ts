/**
 * Fill functions that write a tensor's raw bytes in ggml layout. Each filler owns its PRNG stream, so a tensor's bytes
 * depend only on (seed, type, size): generation is reproducible byte for byte.
 */
import { GGML_BLOCK, type GgmlType, toFloat16Bits } from "./ggmlTypes.js";
import { Xoshiro128 } from "./prng.js";

/** Writes a tensor's bytes into `out` (exactly the tensor's byte size). */
export type TensorFiller = (out: Uint8Array) => void;

/** Standard deviation of the signed int8 values q ~ U(-128, 127). */
const Q8_STD = 73.9;
/** Standard deviation of the Q4_0 values (q - 8), q ~ U(0, 15). */
const Q4_STD = 4.61;

/** Uniform random weights with mean 0 and the given standard deviation, encoded as `type`. */
export function uniformFiller(type: GgmlType, std: number, seed: number): TensorFiller {
  return (out) => {
    const rng = new Xoshiro128(seed);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const amplitude = std * Math.sqrt(3); // U(-a, a) has standard deviation a / sqrt(3)
    switch (type) {
      case "F32":
        for (let o = 0; o < out.byteLength; o += 4) view.setFloat32(o, rng.nextSigned() * amplitude, true);
        return;
      case "F16":
        for (let o = 0; o < out.byteLength; o += 2)
          view.setUint16(o, toFloat16Bits(rng.nextSigned() * amplitude), true);
        return;
      case "Q8_0":
        fillQuantizedBlocks(view, GGML_BLOCK.Q8_0.bytes, toFloat16Bits(std / Q8_STD), rng);
        return;
      case "Q4_0":
        fillQuantizedBlocks(view, GGML_BLOCK.Q4_0.bytes, toFloat16Bits(std / Q4_STD), rng);
        return;
    }
  };
}

/** Blocks of one f16 scale followed by random packed values (every bit pattern is a valid quant). */
function fillQuantizedBlocks(view: DataView, blockBytes: number, scaleBits: number, rng: Xoshiro128): void {
  for (let o = 0; o < view.byteLength; o += blockBytes) {
    view.setUint16(o, scaleBits, true);
    for (let j = 2; j < blockBytes; j += 4) view.setUint32(o + j, rng.nextU32(), true);
  }
}

/** Every element equal to `value` (F32 only: used for RMS-norm weights, which are 1). */
export function constantF32Filler(value: number): TensorFiller {
  return (out) => {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let o = 0; o < out.byteLength; o += 4) view.setFloat32(o, value, true);
  };
}

/**
 * Wraps a matrix filler so the listed rows (output-head rows of control tokens) are all zero: their logits stay at 0
 * while ordinary tokens' spread around it, so a random model writes visible text instead of invisible control tokens.
 * A zero byte range is a valid zero in every ggml type (a quantized block with scale 0 decodes to zeros).
 */
export function withZeroRows(filler: TensorFiller, rowBytes: number, rows: readonly number[]): TensorFiller {
  return (out) => {
    filler(out);
    for (const row of rows) out.fill(0, row * rowBytes, (row + 1) * rowBytes);
  };
}
