/**
 * Child process running the cloud as `acfleet cloud` does (CloudRuntime + the HTTP API, through
 * startCloudStack), on the embedded aedes or on an external mosquitto. Measures its own event-loop
 * delay and CPU per phase, which only this process can see.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startCloudStack } from '../../src/cli/stack.js';
import { silentLogger } from '../../src/core/log.js';
import { runChildMain } from './child.js';
import type { BenchToJobsCloud, CloudPhaseReading, JobsCloudArgs, JobsCloudToBench } from './jobs-cloud-protocol.js';
import { benchJobsConfig } from './jobs-config.js';
import { within } from './time.js';

const args = JSON.parse(process.argv[2] ?? '{}') as JobsCloudArgs;
const send = (m: JobsCloudToBench): void => {
  if (!process.connected) return;
  try {
    process.send?.(m);
  } catch {
    // the bench is gone
  }
};

process.on('uncaughtException', (e) => {
  writeFileSync(args.crashFile, e.stack ?? e.message);
  process.stderr.write(`bench: !!! the cloud process crashed: ${(e.stack ?? e.message).split('\n').slice(0, 6).join('\n')}\n`);
  process.exit(70);
});

const ms = (ns: number): number => ns / 1e6;

async function main(): Promise<void> {
  const stack = await startCloudStack({ config: benchJobsConfig(args.devices, args.broker), statePath: ':memory:', deviceSecret: args.deviceSecret, log: silentLogger() });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let phase = { cpu: process.cpuUsage(), at: performance.now(), requests: 0, rejected: 0 };
  const jobs = stack.cloud.jobs.counters;
  send({ type: 'ready', mqttUrl: stack.cloud.mqttUrl, httpUrl: stack.api.url, clockEpoch: stack.cloud.clockEpoch });
  await new Promise<void>((resolve) =>
    process.on('message', (m: BenchToJobsCloud) => {
      if (m.type === 'phase-start') {
        loop.reset();
        phase = { cpu: process.cpuUsage(), at: performance.now(), requests: jobs.requests, rejected: jobs.rejected };
      } else if (m.type === 'phase-end') {
        const cpu = process.cpuUsage(phase.cpu);
        const reading: CloudPhaseReading = {
          loopP50Ms: ms(loop.percentile(50)),
          loopP99Ms: ms(loop.percentile(99)),
          loopMaxMs: ms(loop.max),
          cpuMs: (cpu.user + cpu.system) / 1000,
          wallMs: performance.now() - phase.at,
          jobsRequests: jobs.requests - phase.requests,
          jobsRejected: jobs.rejected - phase.rejected,
        };
        send({ type: 'phase', reading });
      } else if (m.type === 'stop') {
        resolve();
      }
    }),
  );
  loop.disable();
  await within(stack.close(), 30_000);
  send({ type: 'stopped' });
}

runChildMain(main, send);
