import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { announceMosquittoSkip, hasMosquitto } from '../helpers/mosquitto.js';
import { connectClient, eventually, nextMessage } from '../helpers/mqtt.js';
import { freePort } from '../helpers/ports.js';

announceMosquittoSkip('acfleet with mosquitto from the command line');

const dir = mkdtempSync(join(tmpdir(), 'acfleet-mosq-cli-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

const envFile = (file: string): NodeJS.ProcessEnv =>
  Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe.skipIf(!hasMosquitto)('acfleet with mosquitto, as the README runs it', () => {
  it('mosquitto-config writes files mosquitto accepts; cloud and fleet run against it as separate processes', async () => {
    const port = await freePort();
    const out = join(dir, 'mosquitto');
    const state = join(dir, 'state.db');
    const gen = await runCli(['mosquitto-config', '--devices', '12', '--out', out, '--port', String(port), '--state', state, '--run-as', userInfo().username]);
    expect(gen.code).toBe(0);
    expect(gen.stdout).toContain(`mosquitto -c ${join(out, 'mosquitto.conf')}`);

    const mosquitto = spawn('mosquitto', ['-c', join(out, 'mosquitto.conf')], { stdio: 'ignore' });
    cleanups.push(async () => {
      mosquitto.kill('SIGTERM');
      await new Promise((r) => mosquitto.once('exit', r));
    });
    const url = `mqtt://127.0.0.1:${port}`;
    const operator = await eventually(() => connectClient(url, { clientId: 'mosq-cli-operator' }).catch(() => undefined), 'mosquitto to accept connections');
    cleanups.push(() => operator.endAsync(true));
    await operator.subscribeAsync(['dt/acfleet/#', '$aws/things/+/shadow/update/accepted']);

    const env = envFile(join(out, 'cloud.env'));
    const httpPort = await freePort();
    const cloud = new CliProcess(['cloud', '--devices', '12', '--broker', url, '--http-port', String(httpPort), '--state', state], env);
    cleanups.push(() => cloud.stop('SIGKILL'));
    await cloud.waitFor(/acfleet cloud is up/);
    const fleet = new CliProcess(['fleet', '--devices', '12', '--broker', url, '--speed', '20', '--state', state], env);
    cleanups.push(() => fleet.stop('SIGKILL'));
    await fleet.waitFor(/all 12 devices online/);

    const t = await nextMessage(operator, (topic) => topic.startsWith('dt/acfleet/'));
    expect(t.json).toHaveProperty('temp');
    const thing = 'SaoPaulo-00001';
    const reported = nextMessage(operator, (topic, p) => topic === `$aws/things/${thing}/shadow/update/accepted` && p.toString().includes('"reported":{"ledColor":"blue"}'));
    const res = await fetch(`http://127.0.0.1:${httpPort}/things/${thing}/shadow`, { method: 'POST', body: '{"state":{"desired":{"ledColor":"blue"}}}' });
    expect(res.status).toBe(200);
    await reported;
    expect(await fleet.stop('SIGTERM')).toBe(0);
    expect(await cloud.stop('SIGTERM')).toBe(0);
  });
});
