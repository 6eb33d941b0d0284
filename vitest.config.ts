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
    ],
  },
});
