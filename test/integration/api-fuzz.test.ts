import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudStack, type CloudStack } from '../../src/cli/stack.js';
import { silentLogger } from '../../src/core/log.js';
import { testFleetConfig } from '../helpers/fleet-config.js';

let stack: CloudStack;

beforeAll(async () => {
  stack = await startCloudStack({ config: testFleetConfig({ alpha: 3, beta: 2 }), statePath: ':memory:', deviceSecret: randomBytes(16).toString('hex'), log: silentLogger() });
  const created = await stack.api.app.inject({ method: 'PUT', url: '/jobs/keep', payload: { targets: ['arn:aws:iot:::thinggroup/Alpha'], document: '{"ledColor":"green"}' } });
  expect(created.statusCode).toBe(200);
});

afterAll(async () => {
  await stack?.close();
});

/** Every `iot` / `iot-jobs-data` route that takes a body or query, with a path to aim at. */
const routes = fc.constantFrom(
  ['PUT', '/jobs/fuzz1'],
  ['PATCH', '/jobs/keep'],
  ['PUT', '/jobs/keep/cancel?force=maybe'],
  ['PUT', '/jobs/nope/cancel'],
  ['DELETE', '/jobs/nope?force=true'],
  ['GET', '/jobs?maxResults=0'],
  ['GET', '/jobs?nextToken=%%%'],
  ['GET', '/jobs/keep/things?status=WHAT'],
  ['GET', '/things/Alpha-00001/jobs/keep?executionNumber=x'],
  ['PUT', '/things/Alpha-00001/jobs/keep/cancel'],
  ['DELETE', '/things/Alpha-00001/jobs/keep/executionNumber/abc'],
  ['POST', '/things/fuzz-thing'],
  ['PATCH', '/things/Alpha-00002'],
  ['POST', '/thing-groups/fuzz-group'],
  ['PUT', '/thing-groups/addThingToThingGroup'],
  ['PUT', '/thing-groups/removeThingFromThingGroup'],
  ['PATCH', '/event-configurations'],
  ['GET', '/endpoint?endpointType=bogus'],
) as fc.Arbitrary<[string, string]>;

const jobsDataSigned = 'AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/iot-jobs-data/aws4_request, SignedHeaders=host, Signature=00';
const body = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
  fc.string(),
  fc.record({ targets: fc.jsonValue(), document: fc.jsonValue(), targetSelection: fc.jsonValue(), jobExecutionsRolloutConfig: fc.jsonValue(), attributePayload: fc.jsonValue() }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);

describe('HTTP API under arbitrary input', () => {
  it('answers every request with AWS JSON: 2xx, or 4xx with x-amzn-ErrorType and a message; never 500', async () => {
    await fc.assert(
      fc.asyncProperty(routes, body, fc.boolean(), async ([method, url], payload, signed) => {
        const res = await stack.api.app.inject({ method: method as 'GET', url, payload: method === 'GET' ? undefined : payload, headers: signed ? { authorization: jobsDataSigned } : {} });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.headers['x-amzn-errortype']).toMatch(/Exception$/);
          expect(typeof (res.json() as { message: unknown }).message).toBe('string');
        }
      }),
      { numRuns: 400 },
    );
    // The job made before the storm is intact and the service still serves.
    const keep = await stack.api.app.inject({ method: 'GET', url: '/jobs/keep' });
    expect(keep.statusCode).toBe(200);
    expect((keep.json() as { job: { targets: string[] } }).job.targets).toEqual(['arn:aws:iot:::thinggroup/Alpha']);
    const metrics = (await stack.api.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^acfleet_jobs\{status="IN_PROGRESS"\} [1-9]\d*$/m);
    // 'keep' reached Alpha's 3 things; the storm may have canceled some executions, never lost one.
    const executions = [...metrics.matchAll(/^acfleet_job_executions\{status="[A-Z_]+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(executions).toBeGreaterThanOrEqual(3);
  });
});
