/** jest 30 + @swc/jest on native ESM; run through `npm test` (it sets --experimental-vm-modules). */
const swc = [
  "@swc/jest",
  {
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "es6" },
    sourceMaps: "inline",
  },
];

/** @type {import('jest').Config} */
export default {
  testEnvironment: "<rootDir>/jest.environment.js",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/containers/"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: { "^.+\\.ts$": swc },
  testTimeout: 60000,
  // spawned processes and a loaded model per file: two workers fit a 2-core machine
  maxWorkers: 2,
};
