// The affinity key of a /v1 request: the client's `user`, else the conversation's stable prefix, which every later
// turn of that conversation repeats.
import { describe, expect, it } from "@jest/globals";
import { openAIAffinity } from "../../services/web/affinity/openAIAffinity.js";

const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const system = { role: "system", content: "You are GAIA." };

describe("openAIAffinity", () => {
  it("keys on `user` when the client sends one, whatever the conversation", () => {
    const a = openAIAffinity(body({ user: "alice", messages: [{ role: "user", content: "one" }] }));
    const b = openAIAffinity(body({ user: "alice", messages: [{ role: "user", content: "two" }] }));
    expect(a).toEqual({ key: "user:alice", source: "user" });
    expect(b).toEqual(a);
  });

  it("gives every turn of a conversation the key of its system + first user message", () => {
    const first = [system, { role: "user", content: "Hello" }];
    const later = [...first, { role: "assistant", content: "Hi!" }, { role: "user", content: "And then?" }];
    const key = openAIAffinity(body({ messages: first }));
    expect(key?.source).toBe("conversation");
    expect(openAIAffinity(body({ model: "x", max_tokens: 4, messages: later }))).toEqual(key);
  });

  it("gives different conversations different keys (another first message, another system prompt)", () => {
    const keys = [
      [system, { role: "user", content: "Hello" }],
      [system, { role: "user", content: "Bonjour" }],
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
      [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
    ].map((messages) => openAIAffinity(body({ messages }))?.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("keys a text completion on the start of its (first) prompt: autocomplete on one file keeps its replica", () => {
    const file = `import fs from "node:fs";\n${"const x = 1;\n".repeat(30)}`;
    const key = openAIAffinity(body({ model: "coder", prompt: `${file}function a(`, max_tokens: 16 }));
    expect(key?.source).toBe("prompt");
    expect(openAIAffinity(body({ prompt: `${file}function b(x) {\n  return` }))).toEqual(key);
    expect(openAIAffinity(body({ prompt: [`${file}const y`, "another prompt"] }))).toEqual(key);
    expect(openAIAffinity(body({ prompt: `// another file\n${file}` }))?.key).not.toBe(key?.key);
    expect(openAIAffinity(body({ user: "bob", prompt: file }))?.source).toBe("user");
    expect(openAIAffinity(body({ prompt: "" }))).toBeNull();
    expect(openAIAffinity(body({ prompt: [1, 2] }))).toBeNull();
  });

  it("has no key when the body names neither (no body, not JSON, no user message yet)", () => {
    expect(openAIAffinity(undefined)).toBeNull();
    expect(openAIAffinity(Buffer.alloc(0))).toBeNull();
    expect(openAIAffinity(Buffer.from("not json"))).toBeNull();
    expect(openAIAffinity(body([1, 2]))).toBeNull();
    expect(openAIAffinity(body({ messages: [system] }))).toBeNull();
    expect(openAIAffinity(body({ user: "", messages: "nope" }))).toBeNull();
  });
});
