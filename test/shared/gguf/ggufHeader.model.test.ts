// The one GGUF header check on the real bundled model (made by `npm run models`).
import { describe, expect, it } from "@jest/globals";
import { readGgufHeader } from "../../../shared/gguf/ggufHeader.js";
import { BUNDLED_LITE_MODEL } from "../../support/processes.js";

describe("readGgufHeader on the bundled model", () => {
  it("accepts the generated model", () => {
    expect(readGgufHeader(BUNDLED_LITE_MODEL)).toMatchObject({ ok: true, version: 3 });
  });
});
