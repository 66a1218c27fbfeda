#!/usr/bin/env node
// gaia-doctor: checks the deployment (primary, candidate, gateway, shared dirs, model) and repairs what is safe.
import { parseOptions, USAGE, UsageError } from "./options.js";
import { renderJson } from "./report/json.js";
import { renderTable } from "./report/table.js";
import { EXIT, exitCodeFor } from "./result.js";
import { runDoctor } from "./runDoctor.js";

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gaia-doctor: ${error.message}\nRun gaia-doctor --help for the options.\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const report = await runDoctor(options);
  process.stdout.write(options.json ? renderJson(report) : renderTable(report, options.color));
  return exitCodeFor(report.summary);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `gaia-doctor: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.failures;
  },
);
