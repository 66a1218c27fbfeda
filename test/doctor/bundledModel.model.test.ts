// The doctor's header check on the real bundled GGUF (made by `npm run models`).
import { describe, expect, it } from "@jest/globals";
import { readGgufHeader } from "../../scripts/doctor/ggufHeader.js";
import { BUNDLED_LITE_MODEL } from "../support/processes.js";

describe("readGgufHeader on the bundled model", () => {
  it("accepts the generated model", async () => {
    expect(await readGgufHeader(BUNDLED_LITE_MODEL)).toMatchObject({ ok: true, version: 3 });
  });
});
