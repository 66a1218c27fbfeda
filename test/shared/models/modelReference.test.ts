import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { loadCoreConfig } from "../../../services/core/config.js";
import { defaultModelCacheDir } from "../../../shared/config/modelCache.js";
import { parseModelReference } from "../../../shared/models/modelReference.js";

describe("parseModelReference", () => {
  it("takes the forms node-llama-cpp's resolver accepts, and URLs, as references", () => {
    for (const uri of [
      "hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M",
      "hf:user/repo",
      "hf:user/repo/file.gguf#dev",
      "hf://user/repo:Q8_0",
      "huggingface:user/repo",
      "hf.co/user/repo:Q4_0",
      "huggingface.co/user/repo",
      "https://example.com/models/x.gguf",
      "http://mirror.lan/x.gguf",
    ])
      expect(parseModelReference(uri)).toEqual({ kind: "remote", uri });
  });

  it("takes anything else as a file, resolved against the working directory", () => {
    expect(parseModelReference("models/x.gguf")).toEqual({ kind: "file", path: path.resolve("models/x.gguf") });
    expect(parseModelReference("/abs/hf-model.gguf")).toEqual({ kind: "file", path: "/abs/hf-model.gguf" });
  });
});

describe("core config: a model by reference", () => {
  it("keeps the reference as the model's name, with the cache and the hub endpoint", () => {
    const config = loadCoreConfig({
      GAIA_LITE_MODEL: "hf:user/repo:Q4_K_M",
      GAIA_MODEL_CACHE: "/var/cache/gaia/models",
      GAIA_HF_ENDPOINT: "http://hub.lan:8080/",
    });
    expect(config.liteModel).toEqual({ kind: "remote", uri: "hf:user/repo:Q4_K_M" });
    expect(config.liteModelPath).toBe("hf:user/repo:Q4_K_M");
    expect(config.modelCacheDir).toBe("/var/cache/gaia/models");
    expect(config.huggingFaceEndpoint).toBe("http://hub.lan:8080");
  });

  it("defaults the cache to the user's cache dir and refuses a hub endpoint that is no URL", () => {
    expect(loadCoreConfig({ XDG_CACHE_HOME: "/tmp/xdg" }).modelCacheDir).toBe("/tmp/xdg/gaia-core/models");
    expect(defaultModelCacheDir({ HOME: "/home/x" })).toMatch(/\.cache\/gaia-core\/models$/);
    expect(() => loadCoreConfig({ GAIA_HF_ENDPOINT: "not a url" })).toThrow(/GAIA_HF_ENDPOINT/);
  });
});
