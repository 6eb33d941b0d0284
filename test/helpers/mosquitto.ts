import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { renderAcl, renderMosquittoConf, renderPasswordFile } from '../../src/broker/mosquitto-files.js';
import { freePort } from './ports.js';

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', 'mosquitto'].find((p) => spawnSync(p, ['-h']).error === undefined);

/** True where a mosquitto binary is installed. CI installs it; laptops may not have it. */
export const hasMosquitto = MOSQUITTO !== undefined;

export function announceMosquittoSkip(suite: string): void {
  if (hasMosquitto) return;
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPED: ${suite} needs mosquitto, which is not installed.\n!! Install it (apt-get install -y mosquitto) to run the real-broker tests; CI always does.\n${line}\n`);
}

export interface MosquittoOptions {
  telemetryTemplate: string;
  thingNames: readonly string[];
  deviceSecret: string;
  cloudPassword: string;
}

export interface RunningMosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** What mosquitto printed, for failure messages. */
  output(): string;
}

/** Starts a real mosquitto on a free loopback port with acfleet's generated ACL and passwords. */
export async function startMosquitto(o: MosquittoOptions): Promise<RunningMosquitto> {
  if (!MOSQUITTO) throw new Error('mosquitto is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'acfleet-mosquitto-'));
  const port = await freePort();
  const acl = join(dir, 'acl');
  const passwd = join(dir, 'passwd');
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(acl, renderAcl(o.telemetryTemplate));
  writeFileSync(passwd, renderPasswordFile({ deviceSecret: o.deviceSecret, thingNames: o.thingNames, cloudPassword: o.cloudPassword }), { mode: 0o600 });
  writeFileSync(conf, renderMosquittoConf({ port, host: '127.0.0.1', aclFile: acl, passwordFile: passwd, allowAnonymous: true, extra: [
        // Started as root, mosquitto would switch to user "mosquitto", who cannot read our 0600 files.
        `user ${userInfo().username}`,
        'log_dest stderr',
        'log_type error',
        'log_type warning',
      ],
    }));
  let out = '';
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, child, () => out);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}): ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not start listening on ${port}: ${output()}`);
}
