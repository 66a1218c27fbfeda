import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Compose files the doctor looks for in the working directory, in compose's own order of preference. */
export const COMPOSE_FILE_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"] as const;

/** The compose service name of the standby core. */
export const CANDIDATE_SERVICE = "gaia-core-candidate";

/** What a finished external command printed. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started or was killed by the timeout. */
  error?: string;
}

/** Runs a command without a shell, bounded by `timeoutMs`; never throws. */
function runCommand(file: string, args: readonly string[], timeoutMs: number, cwd?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, [...args], { timeout: timeoutMs, cwd, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      const err = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
      const code = typeof err.code === "number" ? err.code : null;
      const reason = err.killed
        ? `timed out after ${timeoutMs} ms`
        : err.code === "ENOENT"
          ? `${file} not found`
          : undefined;
      resolve({ code, stdout, stderr, ...(reason !== undefined && { error: reason }) });
    });
  });
}

/** The compose file in `cwd` that defines the candidate core, if any. */
export function findComposeFile(cwd: string): string | undefined {
  for (const name of COMPOSE_FILE_NAMES) {
    const file = path.join(cwd, name);
    try {
      if (fs.readFileSync(file, "utf8").includes(CANDIDATE_SERVICE)) return file;
    } catch {
      // absent or unreadable: try the next name
    }
  }
  return undefined;
}

/**
 * A compose project the doctor may drive: the file in the working directory and a working compose CLI with a reachable
 * engine. Each question is asked of docker once and remembered.
 */
export class ComposeProject {
  private cli?: Promise<string[] | null>;
  private readonly ids = new Map<string, Promise<string | null>>();

  constructor(readonly file: string) {}

  /** `docker-compose` (v1) or `docker compose` (v2), when installed and the engine answers; null otherwise. */
  command(): Promise<string[] | null> {
    this.cli ??= (async () => {
      const info = await runCommand("docker", ["info", "--format", "{{.ServerVersion}}"], 5000);
      if (info.code !== 0) return null;
      if ((await runCommand("docker-compose", ["version"], 5000)).code === 0) return ["docker-compose"];
      if ((await runCommand("docker", ["compose", "version"], 5000)).code === 0) return ["docker", "compose"];
      return null;
    })();
    return this.cli;
  }

  /** The printable command line for `args` (what the report shows). */
  async describe(args: readonly string[]): Promise<string> {
    const cli = (await this.command()) ?? ["docker-compose"];
    return [...cli, "-f", path.basename(this.file), ...args].join(" ");
  }

  /** Runs a compose subcommand in the file's directory. */
  async run(args: readonly string[], timeoutMs: number): Promise<CommandResult> {
    const cli = await this.command();
    if (cli === null) return { code: null, stdout: "", stderr: "", error: "no compose CLI with a reachable engine" };
    const [file, ...rest] = cli as [string, ...string[]];
    return runCommand(file, [...rest, "-f", this.file, ...args], timeoutMs, path.dirname(this.file));
  }

  /** The container id compose has for `service` (running or stopped), or null. */
  containerId(service: string): Promise<string | null> {
    let id = this.ids.get(service);
    if (id === undefined) {
      id = this.run(["ps", "-a", "-q", service], 15_000).then((r) =>
        r.code === 0 ? r.stdout.trim().split("\n")[0]?.trim() || null : null,
      );
      this.ids.set(service, id);
    }
    return id;
  }

  /** The host path mounted at `destination` in the service's container (a named volume's mountpoint or a bind source), with the volume's name. */
  async mountSource(service: string, destination: string): Promise<{ source: string; name?: string } | null> {
    const id = await this.containerId(service);
    if (id === null) return null;
    const r = await runCommand("docker", ["inspect", "--format", "{{json .Mounts}}", id], 10_000);
    if (r.code !== 0) return null;
    try {
      const mounts = JSON.parse(r.stdout) as Array<{
        Source?: string;
        Destination?: string;
        Name?: string;
        Type?: string;
      }>;
      const mount = mounts.find((m) => m.Destination === destination);
      if (mount?.Source === undefined) return null;
      return { source: mount.Source, ...(mount.Type === "volume" && mount.Name !== undefined && { name: mount.Name }) };
    } catch {
      return null;
    }
  }
}
