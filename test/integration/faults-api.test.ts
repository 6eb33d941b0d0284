import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateJobCommand, IoTClient, ListJobExecutionsForJobCommand } from '@aws-sdk/client-iot';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startCloudStack } from '../../src/cli/stack.js';
import { silentLogger } from '../../src/core/log.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { testFleetConfig } from '../helpers/fleet-config.js';
import { startJobsStack } from '../helpers/jobs-stack.js';
import { eventually } from '../helpers/mqtt.js';
import { freePort } from '../helpers/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'acfleet-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Doc = { groups: Record<string, Record<string, unknown>> };
const NONE = { fail: 0, reject: 0, hang: 0, crash: 0, offline: { never: 0, drops: 0, dropAfter: { dist: 'uniform', min: '30s', max: '10m' } }, duration: null, latency: null };

const get = async (http: string): Promise<Doc> => (await (await fetch(`${http}/_acfleet/faults`)).json()) as Doc;
const put = async (http: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${http}/_acfleet/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('GET/PUT /_acfleet/faults', () => {
  it('reads the configured faults, changes them, and refuses bad input naming the path, changing nothing', async () => {
    const s = await startJobsStack();
    try {
      expect(await get(s.http)).toEqual({ groups: { Alpha: NONE, Beta: NONE } });

      const changed = await put(s.http, { groups: { Alpha: { reject: 0.5, latency: { dist: 'uniform', min: '20ms', max: '0.3s' } } } });
      expect(changed.status).toBe(200);
      const alpha = { ...NONE, reject: 0.5, latency: { dist: 'uniform', min: '20ms', max: '300ms' } };
      expect(changed.body).toEqual({ groups: { Alpha: alpha, Beta: NONE } });
      expect(s.stack.cloud.faults.current.Alpha?.latency).toEqual({ dist: 'uniform', min: 20, max: 300 });

      const everyone = await put(s.http, { faults: { hang: 0.1, duration: '20s' } });
      const after = { groups: { Alpha: { ...alpha, hang: 0.1, duration: { dist: 'fixed', value: '20s' } }, Beta: { ...NONE, hang: 0.1, duration: { dist: 'fixed', value: '20s' } } } };
      expect(everyone.body).toEqual(after);
      expect(await get(s.http)).toEqual(after);

      for (const [body, issue] of [
        [{ faults: { fail: 2 } }, 'faults.fail: a probability from 0 to 1, got 2'],
        [{ groups: { Alpha: { fail: 0.5 } } }, 'groups.Alpha: fail + reject + hang + crash add up to 1.1'],
        [{ faults: { crash: 0.5 } }, 'faults: on group Alpha, fail + reject + hang + crash add up to 1.1'],
        [{ groups: { Gamma: { fail: 0.5 } } }, 'groups.Gamma: no group is named "Gamma" (the groups are Alpha, Beta)'],
        [{ groups: { Beta: { duration: { dist: 'lognormal', median: '20s', p95: '5s' } } } }, 'groups.Beta.duration.p95: must be above median'],
        [{ faults: { latency: { dist: 'uniform', min: '1s' } } }, 'faults.latency.max: is required'],
        [{ faults: { fial: 0.1 } }, 'faults.fial: unknown key'],
        [{}, 'name what to change'],
      ] as const) {
        const r = await put(s.http, body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.issues).toEqual(expect.arrayContaining([expect.stringContaining(issue)]));
        expect(r.body.message).toContain(issue);
      }
      expect((await put(s.http, '{"faults": ')).status).toBe(400);
      expect(await get(s.http)).toEqual(after);

      expect((await put(s.http, { reset: true })).body).toEqual({ groups: { Alpha: NONE, Beta: NONE } });
    } finally {
      await s.close();
    }
  });

  it('keeps a change across a restart on the same state file; a changed fleet.yaml wins over it', async () => {
    const statePath = join(dir, 'restart', 'state.db');
    const deviceSecret = randomBytes(16).toString('hex');
    const start = (faults?: Parameters<typeof testFleetConfig>[0] & { hang?: number }) => {
      const config = testFleetConfig({ alpha: 2, beta: 2 });
      if (faults?.hang !== undefined) config.faults = { hang: faults.hang };
      return startCloudStack({ config, statePath, deviceSecret, log: silentLogger() });
    };
    let stack = await start();
    const changed = await put(stack.api.url, { groups: { Beta: { crash: 0.25, offline: 0.5 } } });
    expect(changed.status).toBe(200);
    await stack.close();

    stack = await start();
    expect(await get(stack.api.url)).toEqual(changed.body);
    await stack.close();

    stack = await start({ hang: 0.5 });
    expect(await get(stack.api.url)).toEqual({ groups: { Alpha: { ...NONE, hang: 0.5 }, Beta: { ...NONE, hang: 0.5 } } });
    await stack.close();
  });
});

describe('acfleet faults on a running fleet', () => {
  const running: CliProcess[] = [];
  afterEach(async () => {
    for (const p of running.splice(0)) await p.stop('SIGKILL');
  });

  it('--faults at start; --set on one group reaches the fleet: its executions are REJECTED, the other group succeeds', async () => {
    const config = join(dir, 'fleet.yaml');
    const group = (name: string, count: number, lat: number): string =>
      `  - name: ${name}\n    count: ${count}\n    location: { city: ${name}, country: BR, lat: ${lat}, lon: -46.6, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } }\n`;
    writeFileSync(config, `seed: 5\ndevice: { jobStepDuration: 2s }\ngroups:\n${group('North', 3, 10)}${group('South', 2, -30)}`);
    const httpPort = await freePort();
    const http = `http://127.0.0.1:${httpPort}`;
    const up = new CliProcess(['up', '--config', config, '--speed', '20', '--workers', '2', '--mqtt-port', '0', '--http-port', String(httpPort), '--state', ':memory:', '--faults', 'latency=1ms']);
    running.push(up);
    await up.waitFor(/all 5 devices online/);
    // --faults applies to every group.
    const started = await get(http);
    expect(Object.values(started.groups).map((g) => g.latency)).toEqual([
      { dist: 'fixed', value: '1ms' },
      { dist: 'fixed', value: '1ms' },
    ]);

    const shown = await runCli(['faults', '--http-url', http]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe('North  latency 1ms\nSouth  latency 1ms\n');

    const bad = await runCli(['faults', '--http-url', http, '--set', 'fail=2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--set fail: a probability from 0 to 1, got 2');
    const refused = await runCli(['faults', '--http-url', http, '--group', 'West', '--set', 'fail=0.1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('groups.West: no group is named "West" (the groups are North, South)');

    const set = await runCli(['faults', '--http-url', http, '--group', 'North', '--set', 'reject=1', '--set', 'latency=none']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('North  reject 1\n');
    // The fleet polls the cloud, hands the change to every worker, and says so once they all have it.
    await up.waitFor(/faults now North: reject 1/, 15_000);
    expect(up.stdout).not.toMatch(/faults now South/);

    const iot = new IoTClient({ endpoint: http, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
    try {
      await iot.send(
        new CreateJobCommand({
          jobId: 'faulty-rollout',
          targets: ['arn:aws:iot:us-east-1:123456789012:thinggroup/North', 'arn:aws:iot:us-east-1:123456789012:thinggroup/South'],
          document: '{"ledColor":"green"}',
        }),
      );
      const statuses = await eventually(
        async () => {
          const all = (await iot.send(new ListJobExecutionsForJobCommand({ jobId: 'faulty-rollout' }))).executionSummaries ?? [];
          const byThing = Object.fromEntries(all.map((e) => [e.thingArn?.split('/')[1], e.jobExecutionSummary?.status]));
          return Object.keys(byThing).length === 5 && Object.values(byThing).every((s) => s === 'REJECTED' || s === 'SUCCEEDED') ? byThing : undefined;
        },
        'every execution to finish',
        30_000,
      );
      expect(statuses).toEqual({
        'North-00001': 'REJECTED',
        'North-00002': 'REJECTED',
        'North-00003': 'REJECTED',
        'South-00001': 'SUCCEEDED',
        'South-00002': 'SUCCEEDED',
      });
    } finally {
      iot.destroy();
    }
    expect(await up.stop('SIGINT')).toBe(0);
  });
});
