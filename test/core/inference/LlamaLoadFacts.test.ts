// The buffer sizes and CPU variant llama.cpp reports at load, parsed from the lines it logs (copied from this machine's
// node-llama-cpp 3.21.1 on an AMX CPU) and from a /proc maps file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { LlamaLoadFacts, loadedCpuVariant } from "../../../services/core/inference/LlamaLoadFacts.js";

describe("LlamaLoadFacts", () => {
  it("keeps each buffer's size by type and kind, and ignores every other line", () => {
    const facts = new LlamaLoadFacts();
    for (const line of [
      "load_tensors:          AMX model buffer size =   559.41 MiB",
      "load_tensors:   CPU_Mapped model buffer size =   500.69 MiB",
      "llama_context: n_ctx                 = 4096",
      "llama_context:        CPU  output buffer size =     0.58 MiB",
      "llama_kv_cache:        CPU KV buffer size =    48.00 MiB",
      "sched_reserve:        CPU compute buffer size =   302.00 MiB",
    ])
      facts.take(line);
    expect(facts.buffersMiB).toEqual({
      "AMX model": 559.41,
      "CPU_Mapped model": 500.69,
      "CPU output": 0.58,
      "CPU KV": 48,
      "CPU compute": 302,
    });
  });

  it("waits for the compute buffer's line only while llama.cpp's log reaches it", async () => {
    // no line at all (a second binding instance in one process gets none): no wait, whatever the timeout
    await new LlamaLoadFacts().contextReported(600_000);
    const facts = new LlamaLoadFacts();
    facts.take("load_tensors:   CPU_Mapped model buffer size =   500.69 MiB");
    let reported = false;
    const waiting = facts.contextReported(600_000).then(() => (reported = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(reported).toBe(false);
    facts.take("sched_reserve:        CPU compute buffer size =   302.00 MiB");
    await waiting;
    expect(reported).toBe(true);
  });

  it("reads the CPU variant library mapped into a process, or null", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-maps-"));
    const maps = path.join(dir, "maps");
    fs.writeFileSync(
      maps,
      [
        "7f0000000000-7f0000001000 r-xp 00000000 00:2e 123 /app/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so",
        "7f0000002000-7f0000003000 r-xp 00000000 00:2e 124 /app/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-cpu-zen4.so",
      ].join("\n"),
    );
    expect(loadedCpuVariant(maps)).toBe("zen4");
    fs.writeFileSync(maps, "7f0000000000-7f0000001000 r-xp 00000000 00:2e 123 /usr/lib/libc.so.6\n");
    expect(loadedCpuVariant(maps)).toBeNull();
    expect(loadedCpuVariant(path.join(dir, "missing"))).toBeNull();
  });
});
