#!/usr/bin/env node
// Rebuilds node-llama-cpp's native addon (llama-addon.node, ~0.7 MB, about 15 s on 2 cores) from its own sources, with
// the patch in patches/ applied, against the llama.cpp libraries of the prebuilt binary it replaces. Only the addon
// is compiled: libllama and the ggml CPU variants stay the prebuilt's, so engine speed and CPU-variant selection are
// unchanged. The patch gives each context a persistent CPU threadpool, lets it size the graph's output buffer, hands
// the repeat penalty only the tokens it can penalize, takes top-k straight from the logits and can sample in the
// decode's own call (see docs/benchmarks.md). Headers come from the llama.cpp source bundle node-llama-cpp ships (the same release).
//
// Runs after patch-package on `npm ci`. Needs g++ and git; without them it keeps the prebuilt addon and says so,
// unless GAIA_REQUIRE_ADDON_BUILD=1 (CI and the image), where a failed build fails the install.
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const required = process.env.GAIA_REQUIRE_ADDON_BUILD === "1";
const platform = `${process.platform}-${process.arch}`;

function fail(message) {
  if (required) {
    console.error(`build-addon: ${message}`);
    process.exit(1);
  }
  console.warn(
    `build-addon: ${message}; keeping node-llama-cpp's prebuilt addon (GAIA_REQUIRE_ADDON_BUILD=1 makes this fatal)`,
  );
  process.exit(0);
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
}

/** A package's directory as Node would resolve it from `fromDir` (its exports may hide package.json from require). */
function packageDir(name, fromDir) {
  const lookup = createRequire(join(fromDir, "noop.js")).resolve.paths(name) ?? [];
  const found = lookup.map((dir) => join(dir, name)).find((dir) => existsSync(join(dir, "package.json")));
  if (found === undefined) throw new Error(`${name} is not installed`);
  return found;
}

function locate() {
  const llamaPackage = packageDir("node-llama-cpp", dirname(fileURLToPath(import.meta.url)));
  return {
    addonSources: join(llamaPackage, "llama", "addon"),
    bundle: join(llamaPackage, "llama", "gitRelease.bundle"),
    bins: join(packageDir(`@node-llama-cpp/${platform}`, llamaPackage), "bins", platform),
    napiInclude: packageDir("node-addon-api", llamaPackage),
    nodeApiInclude: join(packageDir("node-api-headers", llamaPackage), "include"),
  };
}

/** The headers the addon includes, checked out of node-llama-cpp's llama.cpp bundle into a scratch directory. */
function checkoutHeaders(bundle, scratch) {
  const source = join(scratch, "llama.cpp");
  run("git", ["clone", "--quiet", "--no-checkout", bundle, source]);
  run("git", ["-C", source, "checkout", "--quiet", "HEAD", "--", "include", "ggml/include", "common", "src"]);
  return source;
}

function sourceFiles(addonSources) {
  return readdirSync(addonSources, { recursive: true })
    .filter((file) => file.endsWith(".cpp"))
    .map((file) => join(addonSources, file));
}

async function compileAll(files, flags, objects) {
  const queue = [...files];
  const compileNext = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const object = join(objects, `${file.replaceAll(/[/\\]/g, "_")}.o`);
      try {
        await execFileAsync("g++", [...flags, "-c", file, "-o", object]);
      } catch (error) {
        throw new Error(`g++ ${file}: ${String(error.stderr || error.message).trim()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, compileNext));
  return readdirSync(objects).map((file) => join(objects, file));
}

/** The first line of each tool's `--version`, or fail() naming the one that is missing. */
function toolVersions(tools) {
  return Object.fromEntries(
    tools.map((tool) => {
      try {
        return [tool, run(tool, ["--version"]).split("\n")[0]];
      } catch {
        return fail(`${tool} is not installed`);
      }
    }),
  );
}

/** Compiles the patched addon sources in `scratch` and links them against the prebuilt's libraries; returns the file. */
async function buildAddon(paths, scratch) {
  const source = checkoutHeaders(paths.bundle, scratch);
  const includes = [paths.napiInclude, paths.nodeApiInclude, "include", "ggml/include", "common", "src", "."];
  const flags = ["-O3", "-fPIC", "-std=c++17", "-DNDEBUG", "-DNAPI_VERSION=7", "-fexceptions"];
  flags.push(...includes.map((dir) => `-I${dir.startsWith("/") ? dir : join(source, dir)}`));
  const objects = join(scratch, "objects");
  mkdirSync(objects);
  const linked = join(scratch, "llama-addon.node");
  const libraries = readdirSync(paths.bins).filter(
    (file) => /^lib(llama|ggml)[^/]*\.so$/.test(file) && !file.includes("-cpu-"),
  );
  run("g++", [
    "-shared",
    "-o",
    linked,
    ...(await compileAll(sourceFiles(paths.addonSources), flags, objects)),
    `-L${paths.bins}`,
    ...libraries.map((file) => `-l:${file}`),
    "-Wl,-rpath,$ORIGIN:$ORIGIN/../bin",
  ]);
  return linked;
}

async function main() {
  const started = Date.now();
  let paths;
  try {
    paths = locate();
  } catch {
    fail(`no prebuilt node-llama-cpp binary for ${platform}`);
  }
  const addon = join(paths.bins, "llama-addon.node");
  if (!existsSync(addon)) fail(`${addon} is missing`);
  const compiler = toolVersions(["g++", "git"])["g++"];
  const scratch = mkdtempSync(join(tmpdir(), "gaia-addon-"));
  let failure;
  try {
    copyFileSync(await buildAddon(paths, scratch), addon);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  // after the scratch dir is gone: fail() exits the process, which would skip a finally
  if (failure !== undefined) fail(failure);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`build-addon: ${addon} rebuilt with gaia-core's patch in ${seconds} s (${compiler})`);
}

await main();
