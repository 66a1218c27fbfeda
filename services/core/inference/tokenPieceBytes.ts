/**
 * GPT-2's byte-level BPE writes each byte of a token as one printable character (bytes_to_unicode): printable Latin-1
 * bytes stand for themselves, the other 68 are shifted to U+0100 onwards, in byte order. This is the inverse.
 */
const GPT2_CHAR_TO_BYTE: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174;
    map.set(String.fromCodePoint(printable ? byte : 256 + shifted++), byte);
  }
  return map;
})();

/**
 * The raw bytes of a vocabulary entry: GPT-2 style (`tokenizer.ggml.model` "gpt2") through the byte map above,
 * SentencePiece byte tokens (`<0xC3>`) by their hex value. Null when the entry is neither (the caller falls back to the
 * UTF-8 of the detokenized text).
 */
export function vocabEntryBytes(entry: string, tokenizerModel: string | undefined): number[] | null {
  const spmByte = /^<0x([0-9A-Fa-f]{2})>$/.exec(entry);
  if (spmByte?.[1]) return [Number.parseInt(spmByte[1], 16)];
  if (tokenizerModel !== "gpt2") return null;
  const bytes: number[] = [];
  for (const char of entry) {
    const byte = GPT2_CHAR_TO_BYTE.get(char);
    if (byte === undefined) return null;
    bytes.push(byte);
  }
  return bytes;
}
