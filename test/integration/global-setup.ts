import { spawnSync } from 'node:child_process';

/**
 * CLI tests run the real bin/acfleet.js, and the cloud serves dist/dashboard/, so dist/ must match
 * the sources under test: build both as `npm run build` does (tsc, then esbuild for the page).
 * Once per `vitest run`, whichever project's setup comes first (integration or e2e).
 */
export default function setup(): void {
  if (process.env.ACFLEET_TEST_BUILT === '1') return;
  const steps: [string, string[]][] = [
    ['build', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']],
    ['dashboard build', ['node_modules/tsx/dist/cli.mjs', 'src/dashboard/build.ts']],
  ];
  for (const [name, args] of steps) {
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${name} failed before the tests:\n${r.stdout}${r.stderr}`);
  }
  process.env.ACFLEET_TEST_BUILT = '1';
}
