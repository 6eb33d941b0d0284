import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          // The AWS SDK v3 (a test client here) warns that its 2027 releases need Node 22; acfleet supports Node 20.
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real brokers and worker pools: keep files sequential so port and CPU use stay predictable on 2 cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // Builds dist/ as `npm run build` does: the tests drive the real bin/acfleet.js and its built page.
          globalSetup: ['test/e2e/global-setup.ts'],
          // A whole workshop rollout at --speed 60 (60 devices at 1 a simulated minute) is about a wall minute.
          testTimeout: 300_000,
          hookTimeout: 120_000,
          // Each file runs a 200-device fleet and a browser. Like integration's, these files then join vitest's
          // one-at-a-time group, so they never run beside the timing-sensitive integration tests either.
          fileParallelism: false,
        },
      },
    ],
  },
});
