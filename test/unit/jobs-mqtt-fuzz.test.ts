import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventSettings } from '../../src/cloud/event-configurations.js';
import { JOB_EXECUTION_STATUSES } from '../../src/cloud/jobs/executions.js';
import { JobsService } from '../../src/cloud/jobs/service.js';
import { Registry } from '../../src/cloud/registry/registry.js';
import { openStore, WriteBatcher } from '../../src/cloud/store/sqlite.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { FakeBroker } from '../helpers/fake-service-broker.js';

const SCOPE = { region: 'us-east-1', account: '123456789012' };
const P = '$aws/things/dev1/jobs';
const CODES = ['InvalidTopic', 'InvalidJson', 'InvalidRequest', 'InvalidStateTransition', 'ResourceNotFound', 'VersionMismatch'];

async function service(): Promise<{ jobs: JobsService; broker: FakeBroker }> {
  const db = openStore(':memory:');
  const clock = new FakeClock(Date.UTC(2026, 10, 23));
  const registry = new Registry(db, SCOPE);
  registry.createThing('dev1', {}, 0);
  const jobs = new JobsService({ db, batcher: new WriteBatcher(db), registry, events: new EventSettings(db, { job: true, jobExecution: true }, 0), scope: SCOPE, clock, log: silentLogger() });
  const broker = new FakeBroker();
  await jobs.attach(broker.client);
  for (const id of ['j1', 'j2']) {
    const r = await jobs.control.createJob(id, { targets: ['arn:aws:iot:::thing/dev1'], document: '{"ledColor":"green"}' });
    if (!r.ok) throw new Error(r.error.message);
  }
  return { jobs, broker };
}

/** Field values of every JSON type, and the numeric strings §1.2 allows. */
const anyValue = fc.oneof(fc.jsonValue(), fc.constantFrom('2', '-1', '10081', 'IN_PROGRESS', 'SUCCEEDED', 'QUEUED', 'CANCELED'));
const requestBody = fc.record(
  {
    clientToken: anyValue,
    status: anyValue,
    statusDetails: fc.oneof(anyValue, fc.dictionary(fc.string(), anyValue)),
    expectedVersion: anyValue,
    executionNumber: anyValue,
    stepTimeoutInMinutes: anyValue,
    includeJobDocument: anyValue,
    includeJobExecutionState: anyValue,
  },
  { requiredKeys: [] },
);
const payload = fc.oneof(
  requestBody.map((b) => Buffer.from(JSON.stringify(b))),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
);
const suffix = fc.constantFrom('get', 'start-next', 'j1/get', 'j2/get', '$next/get', 'j1/update', 'j2/update', 'nope/update', 'j1', 'j1/get/more', 'start-next/x');

describe('Jobs MQTT API under arbitrary input', () => {
  it('answers every request on <topic>/accepted or /rejected, never throws, and keeps the state machine sound', async () => {
    const { jobs, broker } = await service();
    fc.assert(
      fc.property(suffix, payload, (s, body) => {
        const topic = `${P}/${s}`;
        const before = jobs.store.executionsOf('dev1');
        const reply = broker.requestRaw(topic, body);
        expect([`${topic}/accepted`, `${topic}/rejected`]).toContain(reply.topic);
        expect(Number.isInteger(reply.body.timestamp)).toBe(true);
        const after = jobs.store.executionsOf('dev1');
        if (reply.topic.endsWith('/rejected')) {
          expect(CODES).toContain(reply.body.code);
          // A rejected request changes nothing.
          expect(after).toEqual(before);
        }
        for (const e of after) {
          expect(JOB_EXECUTION_STATUSES).toContain(e.status);
          const old = before.find((b) => b.jobId === e.jobId && b.executionNumber === e.executionNumber);
          if (old) expect(e.versionNumber - old.versionNumber).toBeGreaterThanOrEqual(0);
          if (old && e.versionNumber !== old.versionNumber) expect(e.versionNumber).toBe(old.versionNumber + 1);
        }
        const c = jobs.store.counts('j1');
        expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(1);
      }),
      { numRuns: 600 },
    );
  });
});
