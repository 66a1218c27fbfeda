import { baseProject } from "./jest.config.js";

/** Container tests: a real Docker engine, built image and compose stack (`npm run test:containers`). */
export default {
  ...baseProject,
  testMatch: ["<rootDir>/test/containers/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
  testTimeout: 900000,
  maxWorkers: 1,
};
