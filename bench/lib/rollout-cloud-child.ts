/**
 * Child process running the cloud as `acfleet cloud --state FILE` does, at the speed the rollout
 * bench asks for. Apart from the fleet, because each device connection costs a file descriptor on
 * both ends. It reads its own event-loop delay, CPU, counters and disk writes per phase, which
 * only this process can see.
 */
import { statSync, writeFileSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { startCloudStack, type CloudStack } from '../../src/cli/stack.js';
import { silentLogger } from '../../src/core/log.js';
import { runChildMain } from './child.js';
import type { BenchToRolloutCloud, RolloutCloudArgs, RolloutCloudToBench, StoreReading } from './rollout-cloud-protocol.js';
import { benchJobsConfig } from './jobs-config.js';
import { within } from './time.js';

const args = JSON.parse(process.argv[2] ?? '{}') as RolloutCloudArgs;

function tell(m: RolloutCloudToBench): void {
  // The bench may be gone already (it kills a cloud that does not stop in time).
  if (process.connected) process.send?.(m, undefined, undefined, () => undefined);
}

process.on('uncaughtException', (e) => {
  // A file, synchronously: a crashing process may never flush an IPC message.
  writeFileSync(args.crashFile, e.stack ?? e.message);
  process.exit(70);
});

/** write_bytes of /proc/self/io: what reached the block layer, not socket writes (those are in wchar). */
function diskWrites(): number {
  const m = /^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Everything a phase is measured from: taken at phase-start, compared at phase-end. */
class PhaseMeter {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private mark: ReturnType<PhaseMeter['take']>;

  constructor(private readonly stack: CloudStack) {
    this.mark = this.take();
    this.loop.enable();
  }

  private take() {
    const { jobs, shadow } = this.stack.cloud;
    return { cpu: process.cpuUsage(), at: performance.now(), jobs: { ...jobs.counters }, shadow: { ...shadow.counters }, disk: diskWrites() };
  }

  start(): void {
    this.loop.reset();
    this.mark = this.take();
  }

  read(): StoreReading {
    const now = this.take();
    const was = this.mark;
    const cpu = process.cpuUsage(was.cpu);
    const ms = (ns: number): number => ns / 1e6;
    return {
      loopP50Ms: ms(this.loop.percentile(50)),
      loopP99Ms: ms(this.loop.percentile(99)),
      loopMaxMs: ms(this.loop.max),
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: now.at - was.at,
      jobsRequests: now.jobs.requests - was.jobs.requests,
      jobsRejected: now.jobs.rejected - was.jobs.rejected,
      jobsAccepted: now.jobs.accepted - was.jobs.accepted,
      shadowRequests: now.shadow.requests - was.shadow.requests,
      shadowRejected: now.shadow.rejected - was.shadow.rejected,
      diskWriteBytes: now.disk - was.disk,
      walBytes: fileSize(`${args.statePath}-wal`),
    };
  }

  stop(): void {
    this.loop.disable();
  }
}

async function main(): Promise<void> {
  const config = { ...benchJobsConfig(args.devices, args.broker), speed: args.speed };
  const stack = await startCloudStack({ config, statePath: args.statePath, deviceSecret: args.deviceSecret, log: silentLogger() });
  const meter = new PhaseMeter(stack);
  tell({ type: 'ready', mqttUrl: stack.cloud.mqttUrl, httpUrl: stack.api.url, clockEpoch: stack.cloud.clockEpoch });
  await new Promise<void>((resolve) => {
    process.on('message', (m: BenchToRolloutCloud) => {
      switch (m.type) {
        case 'phase-start':
          return meter.start();
        case 'phase-end':
          return tell({ type: 'phase', reading: meter.read() });
        case 'stop':
          return resolve();
      }
    });
  });
  meter.stop();
  await within(stack.close(), 30_000);
  tell({ type: 'stopped' });
}

runChildMain(main, tell);
