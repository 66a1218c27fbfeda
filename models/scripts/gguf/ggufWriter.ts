/**
 * A minimal GGUF v3 writer (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): header, metadata key/values,
 * tensor infos, then aligned tensor data. Tensor bytes are produced one tensor at a time by fillers, so a model of
 * hundreds of MB never sits in memory whole. The output is a pure function of the inputs (no timestamps).
 */
import fs from "node:fs";
import { GGML_TYPE_ID, type GgmlType, tensorByteSize } from "./ggmlTypes.js";
import type { TensorFiller } from "./weightFillers.js";

/** GGUF metadata value types (`enum gguf_type`). */
const GgufType = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;

/** One metadata entry; the variant says how the value is encoded. */
export type GgufMetadataEntry =
  | { key: string; type: "u32"; value: number }
  | { key: string; type: "i32"; value: number }
  | { key: string; type: "f32"; value: number }
  | { key: string; type: "bool"; value: boolean }
  | { key: string; type: "string"; value: string }
  | { key: string; type: "string[]"; value: readonly string[] }
  | { key: string; type: "i32[]"; value: readonly number[] };

/** A tensor to write: ggml dimension order (ne0, the contiguous input dimension, first). */
export interface GgufTensor {
  name: string;
  dims: readonly number[];
  type: GgmlType;
  fill: TensorFiller;
}

/** What was written, for logs and tests. */
export interface GgufWriteSummary {
  bytes: number;
  headerBytes: number;
  tensorCount: number;
  metadataCount: number;
}

/** Data alignment; also written as `general.alignment` by callers that want to be explicit. */
export const GGUF_ALIGNMENT = 32;

const padding = (n: number): number => (GGUF_ALIGNMENT - (n % GGUF_ALIGNMENT)) % GGUF_ALIGNMENT;

/** Little-endian byte builder for the header. */
class ByteBuilder {
  private readonly chunks: Buffer[] = [];
  length = 0;

  bytes(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u8(v: number): void {
    this.bytes(Buffer.from([v & 0xff]));
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.bytes(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v | 0);
    this.bytes(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.bytes(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.bytes(b);
  }
  string(s: string): void {
    const data = Buffer.from(s, "utf8");
    this.u64(data.length);
    this.bytes(data);
  }
  build(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function writeMetadataEntry(out: ByteBuilder, entry: GgufMetadataEntry): void {
  out.string(entry.key);
  switch (entry.type) {
    case "u32":
      out.u32(GgufType.UINT32);
      out.u32(entry.value);
      return;
    case "i32":
      out.u32(GgufType.INT32);
      out.i32(entry.value);
      return;
    case "f32":
      out.u32(GgufType.FLOAT32);
      out.f32(entry.value);
      return;
    case "bool":
      out.u32(GgufType.BOOL);
      out.u8(entry.value ? 1 : 0);
      return;
    case "string":
      out.u32(GgufType.STRING);
      out.string(entry.value);
      return;
    case "string[]":
      out.u32(GgufType.ARRAY);
      out.u32(GgufType.STRING);
      out.u64(entry.value.length);
      for (const s of entry.value) out.string(s);
      return;
    case "i32[]": {
      out.u32(GgufType.ARRAY);
      out.u32(GgufType.INT32);
      out.u64(entry.value.length);
      const b = Buffer.alloc(4 * entry.value.length);
      for (const [i, v] of entry.value.entries()) b.writeInt32LE(v, 4 * i);
      out.bytes(b);
      return;
    }
  }
}

/** Serialises the header (magic, version, counts, metadata, tensor infos) without the alignment padding. */
function encodeGgufHeader(metadata: readonly GgufMetadataEntry[], tensors: readonly GgufTensor[]): Buffer {
  const out = new ByteBuilder();
  out.bytes(Buffer.from("GGUF", "ascii"));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const entry of metadata) writeMetadataEntry(out, entry);
  let offset = 0;
  for (const tensor of tensors) {
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const d of tensor.dims) out.u64(d);
    out.u32(GGML_TYPE_ID[tensor.type]);
    out.u64(offset);
    const size = tensorByteSize(tensor.dims, tensor.type);
    offset += size + padding(size);
  }
  return out.build();
}

/** Writes a complete GGUF file to `filePath` (created or truncated) and fsyncs it. */
export function writeGguf(
  filePath: string,
  metadata: readonly GgufMetadataEntry[],
  tensors: readonly GgufTensor[],
): GgufWriteSummary {
  const header = encodeGgufHeader(metadata, tensors);
  const fd = fs.openSync(filePath, "w");
  let bytes = 0;
  const write = (data: Uint8Array): void => {
    let done = 0;
    while (done < data.byteLength) done += fs.writeSync(fd, data, done, data.byteLength - done);
    bytes += data.byteLength;
  };
  try {
    write(header);
    write(new Uint8Array(padding(header.length)));
    for (const tensor of tensors) {
      const size = tensorByteSize(tensor.dims, tensor.type);
      const data = new Uint8Array(size);
      tensor.fill(data);
      write(data);
      write(new Uint8Array(padding(size)));
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, headerBytes: header.length, tensorCount: tensors.length, metadataCount: metadata.length };
}
