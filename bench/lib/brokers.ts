/**
 * The brokers under test. mosquitto: a real mosquitto with acfleet's generated ACL and password
 * file, the cloud services connected to it over TCP from this process (as the integration tests
 * start it). aedes: acfleet's CloudRuntime with its embedded broker, in a child process of its own.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetConfig } from '../../src/config/schema.js';
import type { ClockEpoch } from '../../src/core/clock.js';
import { mosquittoBroker } from '../../test/helpers/brokers.js';
import { hasMosquitto } from '../../test/helpers/mosquitto.js';
import { TsChild } from './child.js';
import type { BenchToCloud, CloudChildArgs, CloudToBench } from './cloud-protocol.js';
import { within } from './time.js';

export type BrokerKind = 'aedes' | 'mosquitto';
export { hasMosquitto };

export interface BenchBroker {
  kind: BrokerKind;
  mqttUrl: string;
  deviceSecret: string;
  clockEpoch: ClockEpoch;
  /** Why the broker went away during the run, if it did. */
  died(): string | undefined;
  /** Clean shutdown; idempotent. */
  stop(): Promise<void>;
  /** For an overloaded broker whose backlog would take minutes to drain: no goodbye. Idempotent. */
  kill(): Promise<void>;
}

const CLOUD_CHILD = new URL('./cloud-child.ts', import.meta.url);

async function startAedes(config: FleetConfig): Promise<BenchBroker> {
  const devices = config.groups.reduce((a, g) => a + g.count, 0);
  const dir = mkdtempSync(join(tmpdir(), 'acfleet-bench-cloud-'));
  const args: CloudChildArgs = { devices, crashFile: join(dir, 'crash.txt') };
  const child = new TsChild<BenchToCloud, CloudToBench>(CLOUD_CHILD, args);
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  const ready = await child.inbox.first(['ready', 'error'], 60_000);
  if (ready?.type !== 'ready') {
    await child.finish(0);
    cleanUp();
    throw new Error(`the embedded broker did not start: ${ready?.message ?? child.inbox.closedReason ?? 'timed out'}`);
  }
  let crash: string | undefined;
  const readCrash = (): string | undefined => {
    if (crash === undefined && existsSync(args.crashFile)) crash = readFileSync(args.crashFile, 'utf8');
    return crash;
  };
  let ended: Promise<void> | undefined;
  let endedByUs = false;
  const end = (how: () => Promise<void>): Promise<void> => {
    endedByUs ||= !child.exited;
    return (ended ??= how().then(() => {
      readCrash();
      cleanUp();
    }));
  };
  return {
    kind: 'aedes',
    mqttUrl: ready.mqttUrl,
    deviceSecret: ready.deviceSecret,
    clockEpoch: ready.clockEpoch,
    died: () => readCrash() ?? (child.exited && !endedByUs ? `the broker process exited (${child.inbox.closedReason ?? '?'})` : undefined),
    stop: () =>
      end(async () => {
        child.send({ type: 'stop' });
        await child.inbox.next('stopped', 35_000);
        await child.finish(5_000);
      }),
    kill: () => end(() => child.finish(0)),
  };
}

async function startMosquittoWithCloud(config: FleetConfig): Promise<BenchBroker> {
  const b = await mosquittoBroker(config);
  let ended: Promise<void> | undefined;
  // mosquitto keeps up with the load, so a kill is the same bounded clean stop.
  const stop = (): Promise<void> =>
    (ended ??= within(b.stop().then(() => true), 30_000).then((done) => {
      if (done === undefined) process.stderr.write('bench: !!! stopping mosquitto and its cloud took over 30 s\n');
    }));
  return { kind: 'mosquitto', mqttUrl: b.mqttUrl, deviceSecret: b.deviceSecret, clockEpoch: b.cloud.clockEpoch, died: () => undefined, stop, kill: stop };
}

export function startBroker(kind: BrokerKind, config: FleetConfig): Promise<BenchBroker> {
  return kind === 'aedes' ? startAedes(config) : startMosquittoWithCloud(config);
}

/** Runs `body` against a fresh broker and always tears the broker down. */
export async function withBroker<T>(kind: BrokerKind, config: FleetConfig, body: (b: BenchBroker) => Promise<T>): Promise<T> {
  const b = await startBroker(kind, config);
  try {
    return await body(b);
  } finally {
    await b.stop();
  }
}
