// The image on its own: user gaia at uid 1000, state dirs a fresh volume inherits, the startup self-check's one-line
// refusals, a read-only root filesystem, and SIGTERM handling (docker stop without SIGKILL).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { gatewayPacket } from "../fixtures/packets.js";
import { REPO_ROOT } from "../support/processes.js";
import { BUILD_ID, buildImage, docker, IMAGE, mustDocker, publishedPort, report, waitHttpOk } from "./docker.js";

const started: string[] = [];

/** `docker run -d` of the image; the container is removed (with its anonymous volumes) after the suite. */
async function runDetached(args: readonly string[]): Promise<string> {
  const id = (await mustDocker(["run", "-d", "--init", ...args, IMAGE])).stdout.trim();
  started.push(id);
  return id;
}

beforeAll(async () => {
  const build = await buildImage();
  if (build) report(build.existedBefore ? "image build (image existed)" : "image build (no image before)", build.ms);
  const size = Number((await mustDocker(["image", "inspect", "-f", "{{.Size}}", IMAGE])).stdout.trim());
  process.stdout.write(`[containers] image size: ${(size / 1e6).toFixed(0)} MB\n`);
});

afterAll(async () => {
  if (started.length) await docker(["rm", "-f", "-v", ...started]);
});

describe("gaia-core image", () => {
  it("runs as user gaia with uid/gid 1000", async () => {
    expect((await mustDocker(["run", "--rm", IMAGE, "id", "gaia"])).stdout.trim()).toBe(
      "uid=1000(gaia) gid=1000(gaia) groups=1000(gaia)",
    );
    expect(
      (await mustDocker(["run", "--rm", IMAGE, "sh", "-c", "id -u; id -g; echo $HOME"])).stdout.trim().split("\n"),
    ).toEqual(["1000", "1000", "/home/gaia"]);
  });

  it("runs Node 24 LTS, the major package.json's engines asks for", async () => {
    const engines = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).engines.node as string;
    expect(engines).toBe(">=24");
    expect((await mustDocker(["run", "--rm", IMAGE, "node", "--version"])).stdout.trim()).toMatch(/^v24\./);
  });

  it("holds the runtime only: no benchmark code, compiled or source", async () => {
    const out = (await mustDocker(["run", "--rm", IMAGE, "sh", "-c", "ls /app /app/dist"])).stdout;
    expect(out).toMatch(/\bservices\b/);
    expect(out).not.toMatch(/\bbench\b/);
  });

  it("carries the node-llama-cpp addon its build stage compiled with the project's patch, not the prebuilt", async () => {
    // the same native facts the core's model-ready line reports, read from llama.cpp's context inside the image
    const script = [
      // /tmp is outside /app, so the package is named by its path
      'import { getLlama, LlamaLogLevel } from "/app/node_modules/node-llama-cpp/dist/index.js";',
      'const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });',
      "const model = await llama.loadModel({ modelPath: process.env.GAIA_LITE_MODEL });",
      "const context = await model.createContext({ contextSize: 256, threads: 2, outputsMax: 2 });",
      "console.log(JSON.stringify(context.gaiaNativeFacts()));",
    ].join("\n");
    // from a file: node-llama-cpp tests its binary in a child started with this process's execArgv, so not `node -e`
    const run = `cat > /tmp/native-facts.mjs <<'SCRIPT'\n${script}\nSCRIPT\nnode /tmp/native-facts.mjs`;
    const out = (await mustDocker(["run", "--rm", IMAGE, "sh", "-c", run])).stdout;
    expect(JSON.parse(out.trim().split("\n").at(-1) ?? "null")).toEqual({ outputsMax: 2, threadpoolThreads: 2 });
  });

  it("hands a fresh volume at /shared its subdirs owned by 1000 (the candidate volume's permission denied)", async () => {
    // an anonymous volume is populated from the image, like a new named volume in compose
    const out = (
      await mustDocker(["run", "--rm", "-v", "/shared", IMAGE, "sh", "-c", "stat -c '%u:%g %n' /shared /shared/*"])
    ).stdout;
    expect(out.trim().split("\n").sort()).toEqual(
      [
        "/shared",
        "/shared/council",
        "/shared/lite_journal",
        "/shared/sessions",
        "/shared/temporal_states",
        "/shared/timeline",
      ].map((dir) => `1000:1000 ${dir}`),
    );
  });

  it("refuses to start under a uid with no passwd entry, with one line (the original's stale candidate image had no such user)", async () => {
    const r = await docker(["run", "--rm", "--user", "1234", IMAGE], 60_000);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gaia-core: uid 1234 has no passwd entry .*: run as the image's user gaia \(uid 1000\)/);
  });

  it("says which mount is missing when the root filesystem is read-only and HOME is not writable", async () => {
    const r = await docker(["run", "--rm", "--read-only", "--tmpfs", "/tmp", IMAGE], 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^gaia-core: HOME \/home\/gaia is not writable by uid 1000 \(gaia\) \(EROFS\): .*--tmpfs \/home\/gaia:uid=1000,gid=1000/,
      ),
    ]);
  });

  it("serves /health and answers a packet with a read-only root (tmpfs /tmp and HOME, a volume for /shared), then stops on SIGTERM", async () => {
    const id = await runDetached([
      "--read-only",
      "--tmpfs",
      "/tmp",
      "--tmpfs",
      "/home/gaia:uid=1000,gid=1000",
      "-v",
      "/shared",
      "-e",
      "GAIA_THREADS=1",
      "-p",
      "127.0.0.1::6415",
    ]);
    const url = `http://127.0.0.1:${await publishedPort(id, 6415)}`;
    report("read-only container: /health 200 after", await waitHttpOk(`${url}/health`, 120_000));
    const health = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: "ready",
      service: "gaia-core",
      role: "primary",
      build_id: BUILD_ID,
      shared_dir: "/shared",
    });

    const packet = gatewayPacket((p) => {
      p.header.packet_id = `ct-readonly-${Date.now()}`;
      p.header.session_id = "ct-readonly";
      p.context.constraints.max_tokens = 16;
    });
    const res = await fetch(`${url}/process_packet`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(packet),
      signal: AbortSignal.timeout(120_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gaia-role")).toBe("primary");
    expect(res.headers.get("x-gaia-build")).toBe(BUILD_ID);

    // the session landed on the volume, not in the (read-only) image layer
    const sessions = await mustDocker(["exec", id, "ls", "/shared/sessions"]);
    expect(sessions.stdout.trim()).not.toBe("");

    const stop = await mustDocker(["stop", "-t", "30", id], 60_000);
    report("docker stop (SIGTERM → drained exit)", stop.ms);
    // 137 would mean SIGKILL after the grace period: the service ignored SIGTERM
    expect((await mustDocker(["inspect", "-f", "{{.State.ExitCode}}", id])).stdout.trim()).toBe("0");
  });
});
