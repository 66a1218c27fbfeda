import fs from "node:fs";

/** Writes the 24-byte head of a GGUF (magic, version, tensor and kv counts) plus padding. */
export function writeGguf(file: string, version = 3): string {
  const head = Buffer.alloc(64);
  head.write("GGUF", 0, "latin1");
  head.writeUInt32LE(version, 4);
  fs.writeFileSync(file, head);
  return file;
}
