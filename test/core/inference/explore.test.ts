import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, it } from "@jest/globals";
import request from "supertest";
import { gatewayPacket } from "../../fixtures/packets.js";
import { tempDir } from "../../support/processes.js";
import { startTestCore, type TestCore } from "../../support/testCore.js";

let core: TestCore;
const env = { GAIA_MAX_TOKENS_CAP: "40" };
beforeAll(async () => { core = await startTestCore({ env }); });
afterAll(async () => { await core.dispose(); });

const pkt = (session: string, id: string, prompt: string, temperature: number, seed: number) => gatewayPacket((p) => {
  p.header.session_id = session; p.header.packet_id = id; p.content.original_prompt = prompt; p.content.data_fields = [];
  p.header.model.temperature = temperature; p.header.model.seed = seed;
});
const post = (app: TestCore["app"], body: unknown) => request(app).post("/process_packet").set("Content-Type", "application/json").send(JSON.stringify(body));

it("explores", async () => {
  for (const [t1, t2] of [[0.8, 0], [0.8, 0.8], [0, 0]] as const) {
    for (const prompts of [["Hello there, how are you?", "Tell me more about the weather"], ["What is a cat?", "And a dog?"], ["Say something nice", "Why?"]]) {
      const s = `s-${t1}-${t2}-${prompts[0]!.length}`;
      const a = await post(core.app, pkt(s, "p1", prompts[0]!, t1, 7));
      const b = await post(core.app, pkt(s, "p2", prompts[1]!, t2, 7));
      const shared = tempDir("explore-");
      fs.mkdirSync(path.join(shared, "sessions"));
      const file = core.store.fileFor(s);
      const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
      fs.writeFileSync(path.join(shared, "sessions", path.basename(file)), lines[0] + "\n");
      const fresh = await startTestCore({ env, sharedDir: shared });
      const c = await post(fresh.app, pkt(s, "p2", prompts[1]!, t2, 7));
      await fresh.dispose();
      const sum = (r: request.Response) => r.body.reasoning.reflection_log.at(-1).summary.match(/prompt_tokens=\d+; kv_reused_tokens=\d+/)[0];
      console.log(t1, t2, JSON.stringify(a.body.response.candidate).slice(0, 40), "|", JSON.stringify(b.body.response.candidate), sum(b), "|", JSON.stringify(c.body.response.candidate), sum(c), b.body.response.candidate === c.body.response.candidate);
    }
  }
});
