import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

/**
 * Measured side by side with an innocent client's latencies: the hostile-client
 * suite runs after every other file, alone, so another test file's burst of
 * work is not taken for the attacker's doing (its bounds follow the machine's
 * own load, measured just before each attack).
 */
const ALONE = ["test/hostile/innocent-client.test.ts"];

export default defineConfig({
  resolve: {
    // Libraries load graphql's CommonJS build through Node; our own files must
    // get the same copy, or graphql-js sees two realms ("another module").
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Database-heavy files each open their own database; two cores, two workers.
    maxWorkers: 2,
    // expect.poll waits for a condition; its deadline only says when to give up,
    // and 1 s (the default) is short for a page or a batch on a loaded machine.
    expect: { poll: { timeout: 30_000, interval: 50 } },
    projects: [
      {
        extends: true,
        test: { name: "suite", include: ["test/**/*.test.ts", "test/**/*.test.tsx"], exclude: ALONE },
      },
      {
        extends: true,
        test: { name: "alone", include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
