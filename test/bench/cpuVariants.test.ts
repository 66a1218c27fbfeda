import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { cpuHasAmx, defaultPinVariant, pinnedCommand, pinPlan, variantsIn } from "../../bench/cpuVariantPin.js";
import { describeBuffers, gaiaEngineFacts, parseBufferSizes } from "../../bench/engineFacts.js";
import { notComparableReason } from "../../bench/PeerTable.js";
import { cpuVariantsInMaps as variantsInMaps } from "../../services/core/inference/LlamaLoadFacts.js";

const BINS = "/repo/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64";

describe("which CPU variant a process loaded (/proc/<pid>/maps)", () => {
  it("names the mapped libggml-cpu-<variant>.so once, whatever its segments and path", () => {
    const maps = [
      "5583a1c00000-5583a1c2e000 r--p 00000000 08:01 1048 /usr/bin/node",
      `7f1c2a000000-7f1c2a0a1000 r--p 00000000 00:2e 91 ${BINS}/libggml-base.so`,
      `7f1c2a200000-7f1c2a2c4000 r--p 00000000 00:2e 97 ${BINS}/libggml-cpu-zen4.so`,
      `7f1c2a2c4000-7f1c2a4f0000 r-xp 000c4000 00:2e 97 ${BINS}/libggml-cpu-zen4.so`,
      `7f1c2a4f0000-7f1c2a500000 rw-p 002f0000 00:2e 97 ${BINS}/libggml-cpu-zen4.so`,
      "7ffd6b9e4000-7ffd6ba05000 rw-p 00000000 00:00 0 [stack]",
    ].join("\n");
    expect(variantsInMaps(maps)).toEqual(["zen4"]);
  });

  it("finds none in a process without ggml, and keeps two apart", () => {
    expect(variantsInMaps("5583a1c00000-5583a1c2e000 r--p 00000000 08:01 1048 /usr/bin/node\n")).toEqual([]);
    const two = `a-b r--p 0 0:0 1 /x/libggml-cpu-sapphirerapids.so\na-b r--p 0 0:0 2 /y/libggml-cpu-zen4.so`;
    expect(variantsInMaps(two)).toEqual(["sapphirerapids", "zen4"]);
  });

  it("does not mistake the base library or a versioned name for a variant", () => {
    expect(variantsInMaps(`a-b r--p 0 0:0 1 ${BINS}/libggml-base.so\na-b r--p 0 0:0 1 /b/libggml.so.0.23.0`)).toEqual(
      [],
    );
  });
});

describe("llama.cpp's buffer lines", () => {
  const stderr = [
    "load_tensors: loading model tensors, this can take a while... (mmap = true, direct_io = false)",
    "load_tensors:   CPU_Mapped model buffer size =   500.79 MiB",
    "load_tensors:          AMX model buffer size =   559.13 MiB",
    "llama_context:        CPU  output buffer size =     0.58 MiB",
    "llama_kv_cache:        CPU KV buffer size =    48.00 MiB",
    "llama_context:        CPU compute buffer size =    39.51 MiB",
    "srv  load_model: initializing slots, n_slots = 1",
  ].join("\n");

  it("reads each buffer by type and kind, in MiB, with or without llama-server's timestamp prefix", () => {
    expect(parseBufferSizes(stderr)).toEqual({
      "CPU_Mapped model": 500.79,
      "AMX model": 559.13,
      "CPU output": 0.58,
      "CPU KV": 48,
      "CPU compute": 39.51,
    });
    expect(parseBufferSizes("0.00.544.952 I sched_reserve:        CPU compute buffer size =    39.51 MiB")).toEqual({
      "CPU compute": 39.51,
    });
  });

  it("adds up repeated buffers of one type", () => {
    const log =
      "load_tensors:   CPU_REPACK model buffer size =   100.00 MiB\nload_tensors:   CPU_REPACK model buffer size =    20.50 MiB\n";
    expect(parseBufferSizes(log)).toEqual({ "CPU_REPACK model": 120.5 });
  });

  it("is null for output without buffer lines", () => {
    expect(parseBufferSizes("main: server is listening on http://127.0.0.1:8080\n")).toBeNull();
  });

  it("describes the model buffers, then the compute buffer, leaving KV and output out", () => {
    expect(describeBuffers(parseBufferSizes(stderr))).toBe("model CPU_Mapped 500.8 + AMX 559.1, compute CPU 39.5 MiB");
    expect(describeBuffers({ "CPU KV": 48 })).toBe("?");
    expect(describeBuffers(null)).toBe("?");
  });
});

describe("gaia-core's engine facts", () => {
  it("takes cpu_variant and buffers_mib from the model ready line when it carries them", () => {
    const buffers = { "CPU_Mapped model": 500.8, "CPU compute": 300.25 };
    const ready = { msg: "model ready", cpu_variant: "zen4", buffers_mib: buffers };
    expect(gaiaEngineFacts(ready, -1)).toEqual({ variant: "zen4", buffers });
  });

  it("falls back to the process's maps for the variant and says the buffers are unknown", () => {
    // pid -1 has no /proc entry: the variant cannot be read either
    expect(gaiaEngineFacts({ msg: "model ready" }, -1)).toEqual({ variant: null, buffers: null });
    expect(gaiaEngineFacts(null, -1)).toEqual({ variant: null, buffers: null });
  });
});

describe("the pin plan", () => {
  const available = ["haswell", "sapphirerapids", "x64", "zen4"];

  it("hides every other variant in the side's own directory", () => {
    const plan = pinPlan(BINS, available, "zen4");
    expect(plan).toEqual({
      ok: true,
      variant: "zen4",
      hide: [`${BINS}/libggml-cpu-haswell.so`, `${BINS}/libggml-cpu-sapphirerapids.so`, `${BINS}/libggml-cpu-x64.so`],
    });
  });

  it("refuses a variant the directory does not have, naming what it has", () => {
    const plan = pinPlan(BINS, available, "icelake");
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reason).toContain("no libggml-cpu-icelake.so");
    expect(!plan.ok && plan.reason).toContain("haswell, sapphirerapids, x64, zen4");
  });

  it("wraps the command in unshare with the files to hide before `--`, and leaves an unpinned one alone", () => {
    const pinned = pinnedCommand("/bin/llama-server", ["-m", "m.gguf"], ["/d/libggml-cpu-x64.so"]);
    expect(pinned.command).toBe("unshare");
    expect(pinned.args.slice(0, 5)).toEqual(["--mount", "--propagation", "private", "sh", "-c"]);
    expect(pinned.args.slice(6)).toEqual(["sh", "/d/libggml-cpu-x64.so", "--", "/bin/llama-server", "-m", "m.gguf"]);
    expect(pinnedCommand("/bin/llama-server", ["-m", "m.gguf"], [])).toEqual({
      command: "/bin/llama-server",
      args: ["-m", "m.gguf"],
    });
  });

  describe("the variants in a directory", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gaia-variants-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("counts regular libggml-cpu-*.so files only, as ggml does", () => {
      for (const name of ["libggml-cpu-zen4.so", "libggml-cpu-x64.so", "libggml-base.so", "libggml.so.0.23.0"])
        fs.writeFileSync(path.join(dir, name), "");
      fs.mkdirSync(path.join(dir, "libggml-cpu-haswell.so"));
      fs.symlinkSync("/dev/null", path.join(dir, "libggml-cpu-icelake.so"));
      expect(variantsIn(dir)).toEqual(["x64", "zen4"]);
      expect(variantsIn(path.join(dir, "missing"))).toEqual([]);
    });
  });

  it("pins to zen4 by default on a CPU that advertises AMX, and not at all otherwise", () => {
    const amx = "processor\t: 0\nflags\t\t: fpu sse2 avx512f amx_bf16 amx_tile amx_int8\n";
    const noAmx = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n";
    expect(cpuHasAmx(amx)).toBe(true);
    expect(cpuHasAmx(noAmx)).toBe(false);
    expect(defaultPinVariant(amx).variant).toBe("zen4");
    expect(defaultPinVariant(noAmx).variant).toBeNull();
  });
});

describe("the comparable / not comparable verdict", () => {
  const pinned = { variant: "zen4", problem: null };

  it("compares two sides on the same variant", () => {
    expect(notComparableReason("zen4", "zen4", pinned)).toBeNull();
    expect(notComparableReason("haswell", "haswell", { variant: null, problem: null })).toBeNull();
  });

  it("refuses different or unknown variants, and a pin that could not be applied", () => {
    expect(notComparableReason("sapphirerapids", "zen4", pinned)).toBe(
      "CPU variants differ: gaia-core sapphirerapids, llama-server zen4",
    );
    expect(notComparableReason(null, "zen4", pinned)).toContain("unknown");
    expect(notComparableReason("zen4", "zen4", { variant: "zen4", problem: "needs root" })).toBe(
      "cannot pin both to zen4: needs root",
    );
  });
});
