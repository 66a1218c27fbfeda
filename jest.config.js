/** jest 30 + @swc/jest on native ESM; run through the npm scripts (they set --experimental-vm-modules). */
const swc = [
  "@swc/jest",
  {
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "es6" },
    sourceMaps: "inline",
  },
];

/** What every project (and the container config) shares: ESM TypeScript through swc, the host typed-array realm. */
export const baseProject = {
  rootDir: import.meta.dirname,
  testEnvironment: "<rootDir>/jest.environment.js",
  roots: ["<rootDir>/test"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: { "^.+\\.ts$": swc },
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/containers/"],
};

/**
 * Test tiers, chosen by file suffix so a file's name says what it needs:
 * - unit `*.test.ts`: no build, no model file, no spawned process (`npm run test:unit`, seconds);
 * - model `*.model.test.ts`: the real bundled GGUF or embedding fixture (`npm run models` first);
 * - process `*.process.test.ts`: compiled services from dist/, signals, external servers (`npm run build` first).
 */
const tiers = {
  unit: ["**/*.test.ts", "!**/*.model.test.ts", "!**/*.process.test.ts"],
  model: ["**/*.model.test.ts"],
  process: ["**/*.process.test.ts"],
};

// GAIA_TEST_TIER (set by npm run test:unit / test:model / test:process) keeps one tier; unset runs all three.
// An env variable rather than --selectProjects, which would swallow a test path given after it.
const only = process.env.GAIA_TEST_TIER;
if (only && !(only in tiers))
  throw new Error(`GAIA_TEST_TIER=${only}: expected one of ${Object.keys(tiers).join(", ")}`);

/** @type {import('jest').Config} */
export default {
  projects: Object.entries(tiers)
    .filter(([displayName]) => !only || displayName === only)
    .map(([displayName, testMatch]) => ({ ...baseProject, displayName, testMatch })),
  testTimeout: 60000,
  // spawned processes and a loaded model per file: two workers fit a 2-core machine
  maxWorkers: 2,
};
