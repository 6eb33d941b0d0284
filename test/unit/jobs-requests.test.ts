import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  invalidTopicError,
  parseDescribe,
  parseGetPending,
  parseJobsTopic,
  parseStartNext,
  parseUpdate,
  rejectedPayload,
  type JobsRequestError,
} from '../../src/cloud/jobs/requests.js';
import { applyDeviceUpdate, newExecution, type JobsErrorCode } from '../../src/cloud/jobs/executions.js';
import type { Result } from '../../src/core/result.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const json = (value: unknown): Uint8Array => bytes(JSON.stringify(value));
const P = '$aws/things/device-022/jobs';

function rejection<T>(result: Result<T, JobsRequestError>): JobsRequestError {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

function value<T>(result: Result<T, JobsRequestError>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

const PARSERS = { parseGetPending, parseStartNext, parseDescribe, parseUpdate } as const;
type Parser = (payload: Uint8Array) => Result<unknown, JobsRequestError>;
const ALL: [string, Parser][] = Object.entries(PARSERS);

describe('parseJobsTopic: request topics', () => {
  it('maps get and start-next', () => {
    expect(parseJobsTopic(`${P}/get`)).toEqual({ thing: 'device-022', op: 'get' });
    expect(parseJobsTopic(`${P}/start-next`)).toEqual({ thing: 'device-022', op: 'start-next' });
  });

  it('maps describe with a job id or $next', () => {
    expect(parseJobsTopic(`${P}/ChangeTempUnit/get`)).toEqual({ thing: 'device-022', op: 'describe', jobId: 'ChangeTempUnit' });
    expect(parseJobsTopic(`${P}/$next/get`)).toEqual({ thing: 'device-022', op: 'describe', jobId: '$next' });
  });

  it('maps update with a job id', () => {
    expect(parseJobsTopic(`${P}/70/update`)).toEqual({ thing: 'device-022', op: 'update', jobId: '70' });
    expect(parseJobsTopic(`${P}/example-job-01/update`)).toEqual({ thing: 'device-022', op: 'update', jobId: 'example-job-01' });
  });

  it('treats operation names as job ids in the job position', () => {
    expect(parseJobsTopic(`${P}/get/get`)).toEqual({ thing: 'device-022', op: 'describe', jobId: 'get' });
    expect(parseJobsTopic(`${P}/start-next/update`)).toEqual({ thing: 'device-022', op: 'update', jobId: 'start-next' });
  });

  it('accepts job ids of 1 and 64 characters and thing names with colons', () => {
    expect(parseJobsTopic(`${P}/${'a'.repeat(64)}/update`)).toMatchObject({ op: 'update' });
    expect(parseJobsTopic(`${P}/a/get`)).toMatchObject({ op: 'describe', jobId: 'a' });
    expect(parseJobsTopic('$aws/things/a:b_c-1/jobs/get')).toEqual({ thing: 'a:b_c-1', op: 'get' });
    expect(parseJobsTopic(`$aws/things/${'t'.repeat(128)}/jobs/get`)).toMatchObject({ op: 'get' });
  });
});

describe('parseJobsTopic: invalid topics under P/', () => {
  it.each([
    'foo',
    'GET',
    'get/extra',
    'start-next/x',
    'get/',
    '',
    'job1',
    'job1/delete',
    'job1/get/more',
    'job1/update/x',
    '$next/update', // $next is for describe only
    '$next/start-next',
    `${'a'.repeat(65)}/update`, // job id too long
    `${'a'.repeat(65)}/get`,
    'bad.id/update', // job ids exclude '.', ':' and '$'
    'bad:id/get',
    '$other/get',
    '/update', // empty job id
    'notify/x',
    'notify-next/x',
  ])('%s → invalid', (rest) => {
    expect(parseJobsTopic(`${P}/${rest}`)).toEqual({ thing: 'device-022', op: 'invalid' });
  });
});

describe('parseJobsTopic: not a request', () => {
  it.each([
    `${P}/get/accepted`,
    `${P}/get/rejected`,
    `${P}/start-next/accepted`,
    `${P}/start-next/rejected`,
    `${P}/job1/get/accepted`,
    `${P}/$next/get/accepted`,
    `${P}/job1/update/accepted`,
    `${P}/job1/update/rejected`,
    `${P}/notify`,
    `${P}/notify-next`,
    `${P}/job1/notify-namespace-ns1/`,
    `${P}/job1/notify-namespace-ns1`,
    // The reply to an invalid topic must not itself be answered again.
    `${P}/foo/rejected`,
    `${P}/foo/bar/rejected`,
  ])('%s → undefined (the service publishes it)', (topic) => {
    expect(parseJobsTopic(topic)).toBeUndefined();
  });

  it.each([
    P,
    `${P}x/get`,
    '$aws/things/device-022/jobsx/get',
    '$aws/things/device-022/shadow/update',
    '$aws/things/device-022/shadow/get',
    '$aws/thing/device-022/jobs/get',
    'aws/things/device-022/jobs/get',
    '$aws/things//jobs/get',
    '$aws/things/bad name/jobs/get',
    '$aws/things/bad.name/jobs/get',
    `$aws/things/${'t'.repeat(129)}/jobs/get`,
    '$aws/things/+/jobs/get',
    '$aws/events/job/job1/completed',
    'acfleet/device-022/telemetry',
    '',
  ])('%s → undefined (not under $aws/things/{thing}/jobs/)', (topic) => {
    expect(parseJobsTopic(topic)).toBeUndefined();
  });

  it('reports the thing named in the topic, whoever it is', () => {
    expect(parseJobsTopic('$aws/things/other-thing/jobs/get')).toEqual({ thing: 'other-thing', op: 'get' });
    expect(parseJobsTopic('$aws/things/other-thing/jobs/nope')).toEqual({ thing: 'other-thing', op: 'invalid' });
  });

  it('invalidTopicError names the topic and carries no clientToken', () => {
    const e = invalidTopicError(`${P}/foo`);
    expect(e.code).toBe('InvalidTopic');
    expect(e.message).toContain(`${P}/foo`);
    expect(rejectedPayload(e, 1767225700)).toEqual({ code: 'InvalidTopic', message: e.message, timestamp: 1767225700 });
  });
});

describe('InvalidJson (every parser)', () => {
  const cases: [string, Uint8Array][] = [
    ['non-JSON text', bytes('hello')],
    ['truncated JSON', bytes('{"status":"IN_PROGRESS"')],
    ['an array', bytes('[]')],
    ['an array of objects', json([{ clientToken: 'c' }])],
    ['a string', bytes('"x"')],
    ['a number', bytes('42')],
    ['null', bytes('null')],
    ['true', bytes('true')],
    ['lone continuation byte', Uint8Array.of(0x7b, 0x80, 0x7d)],
    ['overlong encoding', Uint8Array.of(0xc0, 0xaf)],
    ['truncated multibyte', Uint8Array.of(0x7b, 0x7d, 0xe2, 0x82)],
    ['lone surrogate', Uint8Array.of(0xed, 0xa0, 0x80)],
  ];
  for (const [name, parse] of ALL) {
    it.each(cases)(`${name}: %s`, (_label, payload) => {
      const e = rejection(parse(payload));
      expect(e.code).toBe('InvalidJson');
      expect(e.message.length).toBeGreaterThan(0);
      expect(e).not.toHaveProperty('clientToken');
      expect(e).not.toHaveProperty('executionState');
    });
  }

  it('invalid UTF-8 inside a clientToken string is still InvalidJson', () => {
    const payload = Uint8Array.of(...bytes('{"clientToken":"'), 0xff, ...bytes('","status":"FAILED"}'));
    expect(rejection(parseUpdate(payload))).toEqual({ code: 'InvalidJson', message: 'Payload is not valid UTF-8' });
  });

  it('accepts a UTF-8 BOM-free multibyte payload', () => {
    expect(value(parseGetPending(json({ clientToken: 'ünï-😀' })))).toEqual({ clientToken: 'ünï-😀' });
  });
});

describe('empty payloads', () => {
  it('get, start-next and describe read an empty or whitespace payload as {}', () => {
    for (const p of [new Uint8Array(0), bytes('  \n\t')]) {
      expect(value(parseGetPending(p))).toEqual({});
      expect(value(parseStartNext(p))).toEqual({});
      expect(value(parseDescribe(p))).toEqual({ includeJobDocument: true });
    }
  });

  it('update rejects an empty payload as InvalidJson', () => {
    expect(rejection(parseUpdate(new Uint8Array(0))).code).toBe('InvalidJson');
    expect(rejection(parseUpdate(bytes(' '))).code).toBe('InvalidJson');
  });
});

describe('clientToken', () => {
  it('is read from every request and omitted when not sent', () => {
    expect(value(parseGetPending(json({ clientToken: 'c1' })))).toEqual({ clientToken: 'c1' });
    expect(value(parseGetPending(json({})))).toEqual({});
    expect(value(parseStartNext(json({ clientToken: 'c2' })))).toEqual({ clientToken: 'c2' });
    expect(value(parseStartNext(json({})))).not.toHaveProperty('clientToken');
    expect(value(parseDescribe(json({ clientToken: 'c' })))).toEqual({ clientToken: 'c', includeJobDocument: true });
    expect(value(parseDescribe(json({})))).not.toHaveProperty('clientToken');
    expect(value(parseUpdate(json({ status: 'IN_PROGRESS', clientToken: 'c3' })))).toMatchObject({ clientToken: 'c3' });
    expect(value(parseUpdate(json({ status: 'IN_PROGRESS' })))).not.toHaveProperty('clientToken');
  });

  it('is kept byte-for-byte, any length (the spec sets no Jobs limit), empty included', () => {
    for (const token of ['', ' spaced ', 'x'.repeat(65), 'é'.repeat(100), '{"json":1}', 'a\u0000b']) {
      expect(value(parseGetPending(json({ clientToken: token })))).toEqual({ clientToken: token });
    }
  });

  it('null counts as not sent', () => {
    expect(value(parseGetPending(json({ clientToken: null })))).toEqual({});
  });

  it('a non-string is InvalidRequest without a token to echo', () => {
    for (const bad of [1, true, {}, ['c']]) {
      for (const [, parse] of ALL) {
        const e = rejection(parse(json({ clientToken: bad, status: 'IN_PROGRESS' })));
        expect(e.code).toBe('InvalidRequest');
        expect(e).not.toHaveProperty('clientToken');
      }
    }
  });

  it('is echoed on every content error after it is read', () => {
    const bad: [Parser, Record<string, unknown>][] = [
      [parseStartNext, { statusDetails: 'x' }],
      [parseStartNext, { statusDetails: { 'bad key': 'v' } }],
      [parseStartNext, { stepTimeoutInMinutes: 0 }],
      [parseStartNext, { stepTimeoutInMinutes: -1 }],
      [parseDescribe, { executionNumber: 'one' }],
      [parseDescribe, { includeJobDocument: 'true' }],
      [parseUpdate, {}],
      [parseUpdate, { status: 3 }],
      [parseUpdate, { status: 'SUCCEEDED', statusDetails: { k: 1 } }],
      [parseUpdate, { status: 'SUCCEEDED', expectedVersion: 'two' }],
      [parseUpdate, { status: 'SUCCEEDED', executionNumber: -1 }],
      [parseUpdate, { status: 'SUCCEEDED', includeJobExecutionState: 1 }],
      [parseUpdate, { status: 'SUCCEEDED', includeJobDocument: 'false' }],
      [parseUpdate, { status: 'SUCCEEDED', stepTimeoutInMinutes: 10081 }],
    ];
    for (const [parse, body] of bad) {
      // clientToken last in the JSON text: it is still read first.
      const e = rejection(parse(json({ ...body, clientToken: 'tok-1' })));
      expect(e.code).toBe('InvalidRequest');
      expect(e.clientToken).toBe('tok-1');
      const bare = rejection(parse(json(body)));
      expect(bare.code).toBe('InvalidRequest');
      expect(bare).not.toHaveProperty('clientToken');
    }
  });
});

describe('parseStartNext', () => {
  it('reads statusDetails and stepTimeoutInMinutes', () => {
    expect(value(parseStartNext(json({ clientToken: 'c2', statusDetails: { step: 'download' }, stepTimeoutInMinutes: 5 })))).toEqual({
      clientToken: 'c2',
      statusDetails: { step: 'download' },
      stepTimeoutInMinutes: 5,
    });
  });

  it('accepts the step-timeout bounds, as numbers or numeric strings', () => {
    expect(value(parseStartNext(json({ stepTimeoutInMinutes: 1 }))).stepTimeoutInMinutes).toBe(1);
    expect(value(parseStartNext(json({ stepTimeoutInMinutes: 10080 }))).stepTimeoutInMinutes).toBe(10080);
    expect(value(parseStartNext(json({ stepTimeoutInMinutes: '30' }))).stepTimeoutInMinutes).toBe(30);
  });

  it.each([0, -1, 10081, 1.5, '1.5', 'ten', '', true, [], {}])('rejects stepTimeoutInMinutes %j', (step) => {
    expect(rejection(parseStartNext(json({ stepTimeoutInMinutes: step }))).code).toBe('InvalidRequest');
  });

  it('validates statusDetails with no entry cap and returns a copy', () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
    expect(value(parseStartNext(json({ statusDetails: many }))).statusDetails).toEqual(many);
    expect(value(parseStartNext(json({ statusDetails: {} }))).statusDetails).toEqual({});
    for (const bad of [[], 'x', 1, { k: '' }, { k: 'a\nb' }, { '': 'v' }, { k: 'x'.repeat(1025) }, { ['k'.repeat(129)]: 'v' }]) {
      expect(rejection(parseStartNext(json({ statusDetails: bad }))).code).toBe('InvalidRequest');
    }
  });

  it('ignores unknown fields', () => {
    expect(value(parseStartNext(json({ foo: 1, status: 'IN_PROGRESS', includeJobDocument: 'x' })))).toEqual({});
  });
});

describe('parseDescribe', () => {
  it('defaults includeJobDocument to true and honours false', () => {
    expect(value(parseDescribe(json({})))).toEqual({ includeJobDocument: true });
    expect(value(parseDescribe(json({ includeJobDocument: false })))).toEqual({ includeJobDocument: false });
    expect(value(parseDescribe(json({ includeJobDocument: true })))).toEqual({ includeJobDocument: true });
    expect(value(parseDescribe(json({ includeJobDocument: null })))).toEqual({ includeJobDocument: true });
  });

  it('reads executionNumber as a number or numeric string', () => {
    expect(value(parseDescribe(json({ executionNumber: 2 })))).toEqual({ executionNumber: 2, includeJobDocument: true });
    expect(value(parseDescribe(json({ executionNumber: '2' })))).toEqual({ executionNumber: 2, includeJobDocument: true });
  });

  it.each(['two', '2.0', ' 2', '0x2', '1e1', '', 1.5, -1, '-1', true, {}, [2], 2 ** 53])('rejects executionNumber %j', (n) => {
    expect(rejection(parseDescribe(json({ executionNumber: n }))).code).toBe('InvalidRequest');
  });

  it('rejects string booleans: only the three numeric fields are lenient (§1.2)', () => {
    for (const b of ['true', 'false', 1, 0]) {
      expect(rejection(parseDescribe(json({ includeJobDocument: b }))).code).toBe('InvalidRequest');
    }
  });

  it('v1 Python SDK describe payload', () => {
    expect(value(parseDescribe(bytes('{"includeJobDocument": true, "executionNumber": 3, "clientToken": "py"}')))).toEqual({
      includeJobDocument: true,
      executionNumber: 3,
      clientToken: 'py',
    });
  });
});

describe('parseUpdate', () => {
  it('fills the defaults', () => {
    expect(value(parseUpdate(json({ status: 'IN_PROGRESS' })))).toEqual({
      status: 'IN_PROGRESS',
      includeJobExecutionState: false,
      includeJobDocument: false,
    });
  });

  it('reads every field', () => {
    const r = value(
      parseUpdate(
        json({
          status: 'SUCCEEDED',
          statusDetails: { progress: '100%' },
          expectedVersion: 2,
          executionNumber: 1,
          includeJobExecutionState: true,
          includeJobDocument: true,
          stepTimeoutInMinutes: 10,
          clientToken: 'c3',
        }),
      ),
    );
    expect(r).toEqual({
      status: 'SUCCEEDED',
      statusDetails: { progress: '100%' },
      expectedVersion: 2,
      executionNumber: 1,
      includeJobExecutionState: true,
      includeJobDocument: true,
      stepTimeoutInMinutes: 10,
      clientToken: 'c3',
    });
  });

  it('numeric strings equal numbers (§10 #15)', () => {
    const asStrings = value(parseUpdate(json({ status: 'IN_PROGRESS', expectedVersion: '2', executionNumber: '1', stepTimeoutInMinutes: '-1' })));
    const asNumbers = value(parseUpdate(json({ status: 'IN_PROGRESS', expectedVersion: 2, executionNumber: 1, stepTimeoutInMinutes: -1 })));
    expect(asStrings).toEqual(asNumbers);
    expect(asStrings.expectedVersion).toBe(2);
  });

  it('normalises -0 to 0 and accepts expectedVersion 0', () => {
    expect(Object.is(value(parseUpdate(bytes('{"status":"FAILED","expectedVersion":"-0"}'))).expectedVersion, 0)).toBe(true);
    expect(Object.is(value(parseUpdate(bytes('{"status":"FAILED","expectedVersion":-0}'))).expectedVersion, 0)).toBe(true);
  });

  it('stepTimeoutInMinutes: -1 cancels, 1–10080 accepted, anything else rejected', () => {
    for (const ok of [-1, 1, 10080, '-1', '10080']) {
      expect(parseUpdate(json({ status: 'IN_PROGRESS', stepTimeoutInMinutes: ok })).ok).toBe(true);
    }
    for (const bad of [0, -2, 10081, 2.5, 'x', '+5', false]) {
      expect(rejection(parseUpdate(json({ status: 'IN_PROGRESS', stepTimeoutInMinutes: bad }))).code).toBe('InvalidRequest');
    }
  });

  it.each(['two', '2.5', '', ' 2', '+2', -1, '-1', 1.5, true, [2], {}, 'overflow'])('rejects expectedVersion %j', (v) => {
    // JSON.parse turns the literal 1e400 into Infinity.
    const payload = v === 'overflow' ? bytes('{"status":"FAILED","expectedVersion":1e400}') : json({ status: 'FAILED', expectedVersion: v });
    expect(rejection(parseUpdate(payload)).code).toBe('InvalidRequest');
  });

  it('status: missing, null or not a string → InvalidRequest (§10 #17)', () => {
    for (const body of [{}, { status: null }, { status: 1 }, { status: true }, { status: ['IN_PROGRESS'] }, { status: { s: 'x' } }, { statusDetails: { a: 'b' } }]) {
      expect(rejection(parseUpdate(json(body))).code).toBe('InvalidRequest');
    }
  });

  it('passes any status string through for the state machine to judge', () => {
    for (const status of ['QUEUED', 'CANCELED', 'bogus', '']) {
      expect(value(parseUpdate(json({ status }))).status).toBe(status);
    }
  });

  it('an unknown status parsed here is InvalidRequest from applyDeviceUpdate', () => {
    const req = value(parseUpdate(json({ status: 'bogus' })));
    const exec = newExecution({ jobId: 'j', thingName: 't', executionNumber: 1, retryAttempt: 0, nowSec: 0 });
    const r = applyDeviceUpdate(exec, req, 1);
    expect(!r.ok && r.error.code).toBe('InvalidRequest');
  });

  it('ignores a prototype-named field rather than reading the prototype', () => {
    expect(rejection(parseUpdate(json({ constructor: 'x' }))).code).toBe('InvalidRequest');
    expect(value(parseUpdate(bytes('{"status":"FAILED","statusDetails":{"__proto__":"v"}}'))).statusDetails).toEqual(
      JSON.parse('{"__proto__":"v"}'),
    );
  });
});

describe('legacy SDK payloads (§1.6)', () => {
  it('v1 JS: {} to $next/get', () => {
    expect(parseJobsTopic('$aws/things/MyRaspberryPi/jobs/$next/get')).toEqual({ thing: 'MyRaspberryPi', op: 'describe', jobId: '$next' });
    expect(value(parseDescribe(bytes('{}')))).toEqual({ includeJobDocument: true });
  });

  it('v1 JS / Python: status-only update without clientToken', () => {
    expect(value(parseUpdate(bytes('{ "status" : "IN_PROGRESS"}')))).toEqual({
      status: 'IN_PROGRESS',
      includeJobExecutionState: false,
      includeJobDocument: false,
    });
    expect(value(parseUpdate(bytes('{"status":"IN_PROGRESS","statusDetails":{"operation":"customJob"}}'))).statusDetails).toEqual({
      operation: 'customJob',
    });
  });

  it('seed 004 progress update, verbatim', () => {
    const seed = `{
    "status":"SUCCEEDED",
    "statusDetails": {
        "progress":"100%"
    },
    "expectedVersion":"2"
}`;
    expect(value(parseUpdate(bytes(seed)))).toEqual({
      status: 'SUCCEEDED',
      statusDetails: { progress: '100%' },
      expectedVersion: 2,
      includeJobExecutionState: false,
      includeJobDocument: false,
    });
  });

  it('seed 004 update applies to an IN_PROGRESS v2 execution', () => {
    const seed = bytes('{"status":"SUCCEEDED","statusDetails":{"progress":"100%"},"expectedVersion":"2"}');
    const queued = newExecution({ jobId: '70', thingName: 't', executionNumber: 1, retryAttempt: 0, nowSec: 1523297701 });
    const started = applyDeviceUpdate(queued, { status: 'IN_PROGRESS' }, 1523297710);
    if (!started.ok) throw new Error('setup');
    const done = applyDeviceUpdate(started.value, value(parseUpdate(seed)), 1523297720);
    expect(done.ok && done.value).toMatchObject({ status: 'SUCCEEDED', versionNumber: 3, statusDetails: { progress: '100%' } });
  });

  it('v1 Python update with its extras', () => {
    const py = '{"status": "SUCCEEDED", "statusDetails": {"k": "v"}, "expectedVersion": "3", "executionNumber": "1", "includeJobExecutionState": true, "clientToken": "py-1", "stepTimeoutInMinutes": 5}';
    expect(value(parseUpdate(bytes(py)))).toEqual({
      status: 'SUCCEEDED',
      statusDetails: { k: 'v' },
      expectedVersion: 3,
      executionNumber: 1,
      includeJobExecutionState: true,
      includeJobDocument: false,
      clientToken: 'py-1',
      stepTimeoutInMinutes: 5,
    });
  });

  it('v1 Python client-token-only payload and "{}"', () => {
    expect(value(parseGetPending(bytes('{"clientToken": "py"}')))).toEqual({ clientToken: 'py' });
    expect(value(parseStartNext(bytes('{}')))).toEqual({});
  });
});

describe('rejectedPayload', () => {
  it('matches the §1.4 example, in order, with executionState', () => {
    const error: JobsRequestError = {
      code: 'VersionMismatch',
      message: 'm',
      executionState: { status: 'IN_PROGRESS', statusDetails: {}, versionNumber: 2 },
    };
    const p = rejectedPayload(error, 1767225700, 'c3');
    expect(JSON.stringify(p)).toBe(
      '{"code":"VersionMismatch","message":"m","clientToken":"c3","timestamp":1767225700,"executionState":{"status":"IN_PROGRESS","statusDetails":{},"versionNumber":2}}',
    );
  });

  it('omits clientToken and executionState when absent', () => {
    expect(rejectedPayload({ code: 'InvalidRequest', message: 'm' }, 5)).toEqual({ code: 'InvalidRequest', message: 'm', timestamp: 5 });
    expect(Object.keys(rejectedPayload({ code: 'InvalidJson', message: 'm' }, 5))).toEqual(['code', 'message', 'timestamp']);
  });

  it("falls back to the error's clientToken; an explicit one wins", () => {
    const e = rejection(parseUpdate(json({ clientToken: 'from-req' })));
    expect(rejectedPayload(e, 1).clientToken).toBe('from-req');
    expect(rejectedPayload(e, 1, 'explicit').clientToken).toBe('explicit');
    expect(rejectedPayload(e, 1, '').clientToken).toBe('');
  });

  it('timestamp is integer seconds', () => {
    expect(rejectedPayload({ code: 'InternalError', message: 'm' }, 1767225700.9).timestamp).toBe(1767225700);
  });

  it('copies executionState rather than aliasing it', () => {
    const state = { status: 'FAILED' as const, statusDetails: { a: 'b' }, versionNumber: 4 };
    const p = rejectedPayload({ code: 'InvalidStateTransition', message: 'm', executionState: state }, 1);
    expect(p.executionState).toEqual(state);
    expect(p.executionState?.statusDetails).not.toBe(state.statusDetails);
  });

  it('code is a string (unlike the shadow service)', () => {
    expect(typeof rejectedPayload({ code: 'ResourceNotFound', message: 'm' }, 1).code).toBe('string');
  });
});

describe('properties', () => {
  const PARSE_CODES: readonly JobsErrorCode[] = ['InvalidJson', 'InvalidRequest'];

  const check = (r: Result<unknown, JobsRequestError>): boolean =>
    r.ok || (PARSE_CODES.includes(r.error.code) && typeof r.error.message === 'string' && r.error.executionState === undefined);

  it('arbitrary bytes never throw and yield ok or a known error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (payload) => ALL.every(([, parse]) => check(parse(payload)))),
      { numRuns: 500 },
    );
  });

  it('arbitrary JSON objects never throw; clientToken strings are echoed on every error', () => {
    const field = fc.oneof(fc.constantFrom('status', 'statusDetails', 'expectedVersion', 'executionNumber', 'stepTimeoutInMinutes', 'includeJobDocument', 'includeJobExecutionState'), fc.string().filter((k) => k !== 'clientToken'));
    const body = fc.dictionary(field, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
    fc.assert(
      fc.property(body, fc.option(fc.string(), { nil: undefined }), (obj, token) => {
        const payload = json(token === undefined ? obj : { ...obj, clientToken: token });
        return ALL.every(([, parse]) => {
          const r = parse(payload);
          if (!check(r)) return false;
          if (r.ok) return (r.value as { clientToken?: string }).clientToken === token;
          return r.error.clientToken === token;
        });
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary topics never throw; requests round-trip their job id', () => {
    const seg = fc.oneof(fc.constantFrom('get', 'update', 'start-next', '$next', 'accepted', 'rejected', 'notify', 'job-1', ''), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 4 }), (rest) => {
        const topic = [P, ...rest].join('/');
        const t = parseJobsTopic(topic);
        if (t === undefined) return true;
        if (t.thing !== 'device-022') return false;
        if (t.op === 'describe' || t.op === 'update') return topic === `${P}/${t.jobId}/${t.op === 'describe' ? 'get' : 'update'}`;
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
