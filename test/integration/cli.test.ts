import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../helpers/cli.js';
import { connectClient, eventually, nextMessage } from '../helpers/mqtt.js';
import { freePort } from '../helpers/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-cli-'));
const running: CliProcess[] = [];
const start = (args: string[], env?: NodeJS.ProcessEnv): CliProcess => {
  const p = new CliProcess(args, env);
  running.push(p);
  return p;
};

afterEach(async () => {
  for (const p of running.splice(0)) await p.stop('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const getJson = async (url: string): Promise<Record<string, unknown>> => (await (await fetch(url)).json()) as Record<string, unknown>;

describe('acfleet CLI', () => {
  it('documents every command and the common flags in --help', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['up', 'cloud', 'fleet', 'mosquitto-config']) expect(top.stdout).toContain(cmd);
    const up = await runCli(['up', '--help']);
    for (const flag of ['--config', '--devices', '--speed', '--seed', '--mqtt-port', '--http-port', '--state', '--log-level']) expect(up.stdout).toContain(flag);
    const fleet = await runCli(['fleet', '--help']);
    expect(fleet.stdout).toContain('--shard');
    expect(fleet.stdout).toContain('--broker');
  });

  it('refuses a wrong fleet.yaml, naming the line, path, value and fix, and starts nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    const good = readFileSync(new URL('../../fleet.yaml', import.meta.url), 'utf8');
    writeFileSync(bad, good.replace('count: 60', 'count: -3').replace('ledColor: red, tempUnit: fahrenheit, setpoint: 22', 'ledColor: pink, tempUnit: fahrenheit, setpoint: 22'));
    const httpPort = await freePort();
    const r = await runCli(['up', '--config', bad, '--state', ':memory:', '--mqtt-port', '0', '--http-port', String(httpPort)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line \d+, groups\[0\]\.count: .*got -3/);
    expect(r.stderr).toMatch(/groups\[0\]\.initialState\.ledColor: expected one of "red", "green".*got "pink"/);
    expect(r.stdout).not.toContain('acfleet is up');
    await expect(fetch(`http://127.0.0.1:${httpPort}/_acfleet/health`)).rejects.toThrow();
  });

  it('explains a missing configuration file', async () => {
    const r = await runCli(['up', '--config', join(dir, 'nope.yaml'), '--state', ':memory:']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--config');
  });

  it('rejects bad flags with the reason', async () => {
    const r = await runCli(['up', '--speed', '-2', '--state', ':memory:']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--speed must be a number above 0');
  });

  it('explains that aws-crt devices need a TCP broker URL or an AWS IoT endpoint', async () => {
    const r = await runCli(['fleet', '--transport', 'aws-crt', '--broker', 'ws://127.0.0.1:8080/mqtt', '--state', ':memory:'], { ACFLEET_DEVICE_SECRET: 'x'.repeat(20) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--endpoint');
  });

  it('will not listen beyond loopback without an operator login', async () => {
    const r = await runCli(['cloud', '--host', '0.0.0.0', '--mqtt-port', '0', '--http-port', '0', '--state', ':memory:'], { ACFLEET_OPERATOR_USERNAME: '', ACFLEET_OPERATOR_PASSWORD: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ACFLEET_OPERATOR_USERNAME');
  });

  it('up: connects the fleet, serves health and shadows, applies a desired LED, exits 0 on SIGINT; a restart keeps every shadow', async () => {
    const state = join(dir, 'up', 'state.db');
    const httpPort = await freePort();
    const http = `http://127.0.0.1:${httpPort}`;
    const up = start(['up', '--devices', '20', '--speed', '10', '--mqtt-port', '0', '--http-port', String(httpPort), '--state', state]);
    const [, mqttUrl] = await up.waitFor(/MQTT\s+(mqtt:\/\/\S+)/);
    await up.waitFor(/all 20 devices online/);
    expect(up.stdout).toContain(`${http}/_acfleet/health`);
    expect(await getJson(`${http}/_acfleet/health`)).toEqual({ status: 'ok', devices: { total: 20, online: 20 } });

    const operator = await connectClient(String(mqttUrl), { clientId: 'cli-test-operator' });
    await operator.subscribeAsync('dt/acfleet/#');
    const telemetry = await nextMessage(operator, (t) => t.startsWith('dt/acfleet/sao-paulo/SaoPaulo-'));
    expect(telemetry.json).toMatchObject({ tempUnit: 'fahrenheit', location: 'sao-paulo' });
    await operator.endAsync();

    const thing = 'SaoPaulo-00002';
    const post = await fetch(`${http}/things/${thing}/shadow`, { method: 'POST', body: JSON.stringify({ state: { desired: { ledColor: 'green' } } }) });
    expect(post.status).toBe(200);
    const reported = await eventually(async () => {
      const doc = (await getJson(`${http}/things/${thing}/shadow`)) as { state: { reported: { ledColor: string }; delta?: unknown }; version: number };
      return doc.state.reported.ledColor === 'green' && doc.state.delta === undefined ? doc : undefined;
    }, 'the device to report green');

    expect(await up.stop('SIGINT')).toBe(0);
    expect(up.stdout).toContain('acfleet stopped');

    // The cloud alone, on the same state: the shadow and its version survived.
    const cloudPort = await freePort();
    const cloud = start(['cloud', '--devices', '20', '--mqtt-port', '0', '--http-port', String(cloudPort), '--state', state]);
    const [, cloudMqtt] = await cloud.waitFor(/MQTT\s+(mqtt:\/\/\S+)/);
    const again = (await getJson(`http://127.0.0.1:${cloudPort}/things/${thing}/shadow`)) as typeof reported;
    expect(again.version).toBe(reported.version);
    expect(again.state.reported.ledColor).toBe('green');
    expect((await getJson(`http://127.0.0.1:${cloudPort}/_acfleet/health`)).devices).toEqual({ total: 20, online: 0 });

    // A separate fleet process finds the device secret beside the state, and its devices restore green from their shadows.
    const fleet = start(['fleet', '--devices', '20', '--broker', String(cloudMqtt), '--state', state]);
    await fleet.waitFor(/all 20 devices online/);
    // Its first report after restarting bumps the version; had it forgotten, it would report its initial red.
    const resynced = await eventually(async () => {
      const doc = (await getJson(`http://127.0.0.1:${cloudPort}/things/${thing}/shadow`)) as typeof reported;
      return doc.version > again.version ? doc : undefined;
    }, 'the restarted device to report');
    expect(resynced.state.reported.ledColor).toBe('green');
    expect(await fleet.stop('SIGTERM')).toBe(0);
    expect(await cloud.stop('SIGTERM')).toBe(0);
  });
});
