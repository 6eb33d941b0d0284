import type { BenchOptions } from './args.js';

/** What `bench/run.ts` expects of `bench/<scenario>.ts`: run, print, return the exit code. */
export interface ScenarioModule {
  run(options: BenchOptions): Promise<number>;
}
