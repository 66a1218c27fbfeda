import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { type GgufHeaderProblem, isInvalidGguf, readGgufHeader } from "../../../shared/gguf/ggufHeader.js";
import { tempDir } from "../../support/processes.js";
import { writeGguf } from "../../support/writeGguf.js";

describe("readGgufHeader (the doctor's and the start-up check's one header check)", () => {
  const dir = tempDir("gaia-gguf-");

  it("accepts GGUF versions 2 and 3", () => {
    expect(readGgufHeader(writeGguf(path.join(dir, "v3.gguf"), 3))).toMatchObject({
      ok: true,
      version: 3,
      sizeBytes: 64,
    });
    expect(readGgufHeader(writeGguf(path.join(dir, "v2.gguf"), 2))).toMatchObject({ ok: true, version: 2 });
  });

  it("names each way a model file is broken", () => {
    const garbage = path.join(dir, "garbage.gguf");
    fs.writeFileSync(garbage, Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8]));
    const html = path.join(dir, "page.gguf");
    fs.writeFileSync(html, "<html><body>404 Not Found</body></html>");
    const short = path.join(dir, "short.gguf");
    fs.writeFileSync(short, "GGU");
    expect(readGgufHeader(garbage)).toMatchObject({
      ok: false,
      problem: "bad-magic",
      detail: expect.stringContaining("0xdeadbeef"),
    });
    expect(readGgufHeader(html)).toMatchObject({
      ok: false,
      problem: "bad-magic",
      detail: expect.stringContaining('"<htm"'),
    });
    expect(readGgufHeader(short)).toMatchObject({ ok: false, problem: "too-short" });
    expect(readGgufHeader(writeGguf(path.join(dir, "v1.gguf"), 1))).toMatchObject({
      ok: false,
      problem: "bad-version",
    });
    expect(readGgufHeader(path.join(dir, "absent.gguf"))).toMatchObject({ ok: false, problem: "missing" });
    expect(readGgufHeader(dir)).toMatchObject({ ok: false, problem: "not-a-file" });
  });
});

describe("isInvalidGguf", () => {
  it("tells a file that is not a GGUF from one that is not there or not readable", () => {
    const invalid: GgufHeaderProblem[] = ["too-short", "bad-magic", "bad-version"];
    const elsewhere: GgufHeaderProblem[] = ["missing", "not-a-file", "unreadable"];
    expect(invalid.map(isInvalidGguf)).toEqual([true, true, true]);
    expect(elsewhere.map(isInvalidGguf)).toEqual([false, false, false]);
  });
});
