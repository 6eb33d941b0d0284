import { spawnSync } from 'node:child_process';

/** CLI tests run the real bin/acfleet.js, so dist/ must match the sources under test. */
export default function setup(): void {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed before the integration tests:\n${r.stdout}${r.stderr}`);
}
