/**
 * The dashboard's live feed over real HTTP (issue 7 groundwork): `GET /_acfleet/live` sends every
 * device at once, then batches of changes as the cloud hears them on the broker; closing the
 * stack ends open streams instead of waiting on them.
 */
import { CreateJobCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobsStack, type JobsStack } from '../helpers/jobs-stack.js';

let s: JobsStack;
beforeAll(async () => {
  s = await startJobsStack({ alpha: 3, beta: 2 });
});
afterAll(async () => {
  await s?.close();
});

interface Event {
  event: string;
  data: { devices: { thing: string; led?: string; group?: string; job?: { jobId: string; status: string } | null }[]; cities?: { group: string; lat: number }[] };
}

/** Reads server-sent events until `until` says stop. */
async function readEvents(body: ReadableStream<Uint8Array>, until: (events: Event[]) => boolean): Promise<Event[]> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const events: Event[] = [];
  let buffer = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.+)$/m.exec(block)?.[1] ?? '{}';
      events.push({ event, data: JSON.parse(data) as Event['data'] });
    }
  }
  await reader.cancel();
  return events;
}

describe('GET /_acfleet/live', () => {
  it('sends a snapshot of every device, then the change a shadow report makes', async () => {
    const res = await fetch(`${s.http}/_acfleet/live`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reading = readEvents(res.body as ReadableStream<Uint8Array>, (events) => events.some((e) => e.event === 'changes' && e.data.devices.some((d) => d.thing === 'Alpha-00002' && d.led === 'purple')));
    // Reported through the HTTP data plane; the cloud hears its update/documents on the broker.
    const post = await fetch(`${s.http}/things/Alpha-00002/shadow`, { method: 'POST', body: '{"state":{"reported":{"ledColor":"purple"}}}' });
    expect(post.status).toBe(200);
    const events = await reading;
    expect(events[0]?.event).toBe('snapshot');
    expect(events[0]?.data.devices.map((d) => d.thing)).toEqual(['Alpha-00001', 'Alpha-00002', 'Alpha-00003', 'Beta-00001', 'Beta-00002']);
    // Changes leave out what never changes (group, city): the page keeps those from the snapshot.
    expect(events[0]?.data.devices).toContainEqual(expect.objectContaining({ thing: 'Alpha-00002', group: 'Alpha' }));
    const change = events.at(-1)?.data.devices.find((d) => d.thing === 'Alpha-00002');
    expect(change).toMatchObject({ led: 'purple', job: null });
    expect(change).not.toHaveProperty('group');
  });

  it('names the cities for the map, and follows each thing\'s newest job execution', async () => {
    const res = await fetch(`${s.http}/_acfleet/live`);
    const hasStatus = (events: Event[], status: string): boolean => events.some((e) => e.event === 'changes' && e.data.devices.some((d) => d.thing === 'Beta-00002' && d.job?.jobId === 'live-1' && d.job.status === status));
    const reading = readEvents(res.body as ReadableStream<Uint8Array>, (events) => hasStatus(events, 'SUCCEEDED'));
    await s.iot.send(new CreateJobCommand({ jobId: 'live-1', targets: ['arn:aws:iot:us-east-1:123456789012:thing/Beta-00002'], document: '{"ledColor":"green"}' }));
    const device = await s.device('Beta-00002');
    expect((await device.update('live-1', 'IN_PROGRESS')).accepted).toBe(true);
    expect((await device.update('live-1', 'SUCCEEDED')).accepted).toBe(true);
    const events = await reading;
    expect(events[0]?.data.cities?.map((c) => c.group)).toEqual(['Alpha', 'Beta']);
    expect(hasStatus(events, 'SUCCEEDED')).toBe(true);
  });

  it('does not hold the server open: close() ends a stream still being read', async () => {
    const other = await startJobsStack({ alpha: 1, beta: 1 });
    const res = await fetch(`${other.http}/_acfleet/live`);
    const reading = readEvents(res.body as ReadableStream<Uint8Array>, () => false);
    await other.close();
    const events = await reading;
    expect(events[0]?.event).toBe('snapshot');
  });
});
