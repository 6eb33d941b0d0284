/**
 * The device page's data over real HTTP (issue 7): `GET /_acfleet/devices/:thing` shows what the
 * cloud heard on the broker (telemetry, shadow reports), the registry's record, and the thing's
 * job executions with their status history; an unknown thing is AWS's 404.
 */
import { CreateJobCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceDetail } from '../../src/api/dashboard-device-types.js';
import { rawGet, startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';
import { eventually } from '../helpers/mqtt.js';

let s: JobsStack;
beforeAll(async () => {
  s = await startJobsStack({ alpha: 3, beta: 1 });
});
afterAll(async () => {
  await s?.close();
});

const arn = (thing: string): string => `arn:aws:iot:us-east-1:123456789012:thing/${thing}`;

async function detail(thing: string): Promise<DeviceDetail> {
  const res = await fetch(`${s.http}/_acfleet/devices/${encodeURIComponent(thing)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as DeviceDetail;
}

describe('GET /_acfleet/devices/:thing', () => {
  it('shows the telemetry and shadow report the cloud heard, and the registry record', async () => {
    const thing = 'Alpha-00001';
    const device = await s.device(thing);
    const topic = s.stack.cloud.registry.telemetryTopicOf(thing);
    expect(topic).toBeDefined();
    const t0 = Math.floor(s.stack.cloud.clock.now() / 1000);
    for (const [k, temp] of [70.5, 71.25].entries()) {
      const reading = { temp, humid: 60 + k, tempUnit: 'fahrenheit', thingName: thing, location: 'x', timestamp: t0 + 10 * k };
      await device.client.publishAsync(topic ?? '', JSON.stringify(reading), { qos: 1 });
    }
    const post = await fetch(`${s.http}/things/${thing}/shadow`, { method: 'POST', body: '{"state":{"reported":{"ledColor":"blue","tempUnit":"fahrenheit"}}}' });
    expect(post.status).toBe(200);

    const d = await eventually(async () => {
      const got = await detail(thing);
      return got.telemetry.at.length === 2 && got.device.led === 'blue' ? got : undefined;
    }, 'the telemetry and the report in the device detail');
    expect(d.telemetry).toEqual({ at: [t0, t0 + 10], temp: [70.5, 71.25], humid: [60, 61], tempUnit: ['fahrenheit', 'fahrenheit'] });
    expect(d.device).toMatchObject({ thing, group: 'Alpha', led: 'blue', tempUnit: 'fahrenheit', temp: 71.25, humid: 61 });
    expect(d.thing).toMatchObject({ thingName: thing, thingArn: arn(thing), groups: ['Alpha'] });
    expect(d.thing?.thingTypeName).toBeTruthy();
    expect(Object.keys(d.thing?.attributes ?? {}).length).toBeGreaterThan(0);
    expect(d.executions).toEqual([]);
  });

  it('lists the thing’s executions newest first, each with its status history and details', async () => {
    const thing = 'Alpha-00002';
    const doc = JSON.stringify({ tempUnit: 'celsius', ledColor: 'green' });
    await s.iot.send(new CreateJobCommand({ jobId: 'dev-page-1', targets: [arn(thing)], document: doc }));
    const device = await s.device(thing);
    expect((await device.update('dev-page-1', 'IN_PROGRESS', { statusDetails: { step: 'applying' } })).accepted).toBe(true);
    expect((await device.update('dev-page-1', 'SUCCEEDED', { statusDetails: { step: 'done', ledColor: 'green' } })).accepted).toBe(true);
    await s.iot.send(new CreateJobCommand({ jobId: 'dev-page-2', targets: [arn(thing)], document: doc }));

    const d = await detail(thing);
    expect(d.executions.map((e) => [e.jobId, e.status])).toEqual([
      ['dev-page-2', 'QUEUED'],
      ['dev-page-1', 'SUCCEEDED'],
    ]);
    const [queued, done] = d.executions;
    expect(queued?.statusHistory).toEqual([{ status: 'QUEUED', at: queued?.queuedAt }]);
    expect(done).toMatchObject({ executionNumber: 1, retryAttempt: 0, statusDetails: { step: 'done', ledColor: 'green' } });
    expect(done?.versionNumber).toBeGreaterThanOrEqual(2);
    expect(done?.statusHistory).toEqual([
      { status: 'QUEUED', at: done?.queuedAt },
      { status: 'IN_PROGRESS', at: done?.startedAt },
      { status: 'SUCCEEDED', at: done?.lastUpdatedAt },
    ]);
    expect(d.device.job).toEqual({ jobId: 'dev-page-2', status: 'QUEUED' });
  });

  it('answers an unknown thing with AWS’s ResourceNotFoundException', async () => {
    const res = await rawGet(`${s.http}/_acfleet/devices/No-Such-Thing`);
    expect(res.status).toBe(404);
    expect(res.errorType).toBe('ResourceNotFoundException');
    expect(String(res.body.message)).toContain('No-Such-Thing');
  });
});
