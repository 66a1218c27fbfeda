// Node test environment whose typed-array constructors are the host realm's.
// onnxruntime-node (under @xenova/transformers) builds typed arrays in the host realm and checks
// `instanceof Float32Array` inside jest's vm realm; without this, running an embedding model fails with
// "A float32 tensor's data must be type of function Float32Array()".
import { TestEnvironment } from "jest-environment-node";

const HOST_TYPES = [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "ArrayBuffer",
  "DataView",
];

export default class HostTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of HOST_TYPES) this.global[name] = globalThis[name];
  }
}
