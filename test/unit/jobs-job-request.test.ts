import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { JOB_ID_PATTERN, checkSchedule, parseCancelJob, parseCancelJobExecution, parseCreateJob, parseUpdateJob, type ValidationError } from '../../src/cloud/jobs/job-request.js';
import { decimalPlaces, parseScheduleTime } from '../../src/cloud/jobs/job-configs.js';
import type { Result } from '../../src/core/result.js';

const SEED_ARN = 'arn:aws:iot:::thing/MyRaspberryPi';
const BASE = { targets: [SEED_ARN], document: '{"operation":"setLedColor","color":"blue"}' };
const MANAGED = 'arn:aws:iot:us-east-1::jobtemplate/AWS-Run-Command:1.0';

function rejection<T>(result: Result<T, ValidationError>): string {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error.message;
}

function value<T>(result: Result<T, ValidationError>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result.value;
}

const create = (extra: Record<string, unknown>, jobId = 'job-1') => parseCreateJob(jobId, { ...BASE, ...extra });
const accepts = (extra: Record<string, unknown>) => value(create(extra));
const rejects = (extra: Record<string, unknown>) => rejection(create(extra));

describe('parseCreateJob: minimal body', () => {
  it('accepts the seed ARN with empty region and account, defaulting targetSelection to SNAPSHOT', () => {
    expect(value(parseCreateJob('job-1', BASE))).toStrictEqual({ ...BASE, targetSelection: 'SNAPSHOT' });
  });

  it('keeps CONTINUOUS, drops unknown members such as clientRequestToken, and treats null members as absent', () => {
    const job = accepts({ targetSelection: 'CONTINUOUS', clientRequestToken: 'abc', futureMember: { x: 1 }, description: null, timeoutConfig: null, documentSource: null });
    expect(job).toStrictEqual({ ...BASE, targetSelection: 'CONTINUOUS' });
  });

  it('rejects a body that is not an object, and reads a missing one as {}', () => {
    for (const body of [[], 'x', 5, true]) expect(rejection(parseCreateJob('job-1', body))).toBe('1 validation error detected: Request body must be a JSON object');
    expect(rejection(parseCreateJob('job-1', undefined))).toBe("1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null");
  });
});

describe('parseCreateJob: jobId', () => {
  it('matches JOB_ID_PATTERN: 1–64 of [a-zA-Z0-9_-]', () => {
    expect(JOB_ID_PATTERN.source).toBe('^[a-zA-Z0-9_-]{1,64}$');
    for (const jobId of ['a'.repeat(64), 'A_b-9', '0']) expect(value(create({}, jobId)).targets).toEqual([SEED_ARN]);
  });

  it.each([
    ['a'.repeat(65), 'Member must have length less than or equal to 64'],
    ['', 'Member must have length greater than or equal to 1'],
    ['a.b', 'Member must satisfy regular expression pattern'],
    ['$next', 'Member must satisfy regular expression pattern'],
  ])('rejects %j', (jobId, constraint) => {
    expect(rejection(create({}, jobId))).toContain(`at 'jobId' failed to satisfy constraint: ${constraint}`);
  });

  it('counts a bad jobId together with body errors', () => {
    expect(rejection(create({ timeoutConfig: { inProgressTimeoutInMinutes: 0 } }, 'bad id'))).toMatch(/^2 validation errors detected: Value 'bad id' at 'jobId'.*; Value '0' at 'timeoutConfig\.inProgressTimeoutInMinutes'/);
  });
});

describe('parseCreateJob: targets', () => {
  it.each([
    'arn:aws:iot:us-east-1:123456789012:thing/device-022',
    'arn:aws:iot:us-east-1:123456789012:thinggroup/lobby',
    'arn:aws-cn:iot:cn-north-1::thinggroup/g',
    `arn:aws:iot:::thing/${'a'.repeat(2048 - 'arn:aws:iot:::thing/'.length)}`,
  ])('accepts %s', (arn) => {
    expect(accepts({ targets: [arn] }).targets).toEqual([arn]);
  });

  it.each([
    ['MyRaspberryPi', 'Member must be a thing or thing group ARN'],
    ['arn:aws:iot:us-east-1:123456789012:job/x', 'Member must be a thing or thing group ARN'],
    ['arn:aws:s3:::thing/x', 'Member must be a thing or thing group ARN'],
    ['arn:aws:iot:::thing/', 'Member must be a thing or thing group ARN'],
    ['', 'Member must have length greater than or equal to 1'],
    [`arn:aws:iot:::thing/${'a'.repeat(2049 - 'arn:aws:iot:::thing/'.length)}`, 'Member must have length less than or equal to 2048'],
  ])('rejects %s', (arn, constraint) => {
    expect(rejects({ targets: [SEED_ARN, arn] })).toContain(`at 'targets.2.member' failed to satisfy constraint: ${constraint}`);
  });

  it('needs at least one target, as a list', () => {
    expect(rejects({ targets: [] })).toContain("Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1");
    expect(rejects({ targets: SEED_ARN })).toContain("at 'targets' failed to satisfy constraint: Member must be a list");
  });
});

describe('parseCreateJob: the job document comes from exactly one source', () => {
  const ONE = 'A job must specify exactly one of document, documentSource or jobTemplateArn';
  const [source, template] = ['https://s3.amazonaws.com/bucket/job.json', 'arn:aws:iot:us-east-1:123456789012:jobtemplate/led-template'];

  it('accepts each source alone', () => {
    expect(accepts({}).document).toBe(BASE.document);
    expect(value(parseCreateJob('j', { targets: [SEED_ARN], documentSource: source })).documentSource).toBe(source);
    expect(value(parseCreateJob('j', { targets: [SEED_ARN], documentSource: 's'.repeat(1350) })).documentSource).toHaveLength(1350);
    expect(value(parseCreateJob('j', { targets: [SEED_ARN], jobTemplateArn: template })).jobTemplateArn).toBe(template);
  });

  it.each([
    ['none', { targets: [SEED_ARN] }],
    ['document + documentSource', { ...BASE, documentSource: source }],
    ['document + jobTemplateArn', { ...BASE, jobTemplateArn: template }],
    ['documentSource + jobTemplateArn', { targets: [SEED_ARN], documentSource: source, jobTemplateArn: template }],
    ['all three', { ...BASE, documentSource: source, jobTemplateArn: template }],
  ])('rejects %s', (_name, body) => {
    expect(rejection(parseCreateJob('j', body))).toBe(`1 validation error detected: ${ONE}`);
  });

  const doc = (bytes: number) => `{"a":"${'x'.repeat(bytes - 8)}"}`;

  it('limits document to 32768 UTF-8 bytes', () => {
    expect(accepts({ document: doc(32768) }).document).toHaveLength(32768);
    expect(rejects({ document: doc(32769) })).toContain("at 'document' failed to satisfy constraint: Member must have length less than or equal to 32768 bytes");
    // 'é' is 2 bytes: 16381 of them + 8 ASCII = 32770 bytes in 16389 characters.
    expect(rejects({ document: `{"a":"${'é'.repeat(16381)}"}` })).toContain('32768 bytes');
    // The offending value is clipped in the message.
    expect(rejects({ document: doc(40000) }).length).toBeLessThan(400);
  });

  it.each([['not json'], ['[1,2]'], ['"text"'], ['null'], [''], ['{"a":"\uD800"}']])('rejects document %j', (document) => {
    expect(rejects({ document })).toMatch(/at 'document' failed to satisfy constraint: Member must be (a JSON object|valid UTF-8)/);
  });
});

describe('parseCreateJob: documentParameters', () => {
  const withParams = (documentParameters: unknown, jobTemplateArn: string = MANAGED) => parseCreateJob('j', { targets: [SEED_ARN], jobTemplateArn, documentParameters });

  it('accepts them with an AWS managed template, keeping a __proto__ key as data', () => {
    const job = value(withParams(JSON.parse('{"__proto__":"x","command":"reboot"}')));
    expect(Object.keys(job.documentParameters ?? {})).toEqual(['__proto__', 'command']);
    expect(Object.getPrototypeOf(job.documentParameters)).toBe(Object.prototype);
  });

  it('rejects them without an AWS managed template', () => {
    expect(rejection(withParams({ a: 'b' }, 'arn:aws:iot:us-east-1:123456789012:jobtemplate/AWS-mine'))).toContain('documentParameters may only be used with an AWS managed job template');
    expect(rejects({ documentParameters: { a: 'b' } })).toContain('documentParameters may only be used');
  });

  it('limits keys to [a-zA-Z0-9_-]{1,128} and values to 1–30720 characters', () => {
    expect(value(withParams({ ['k'.repeat(128)]: 'v'.repeat(30720) })).documentParameters).toBeDefined();
    expect(rejection(withParams({ ['k'.repeat(129)]: 'v' }))).toContain("at 'documentParameters' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128]");
    expect(rejection(withParams({ 'bad key': 'v' }))).toContain('Map keys must satisfy constraint: [Member must satisfy regular expression pattern');
    expect(rejection(withParams({ k: 'v'.repeat(30721) }))).toContain("at 'documentParameters.k' failed to satisfy constraint: Member must have length less than or equal to 30720");
    expect(rejection(withParams({ k: '' }))).toContain("at 'documentParameters.k'");
    expect(rejection(withParams({ k: 7 }))).toContain("Value '7' at 'documentParameters.k' failed to satisfy constraint: Member must be a string");
    expect(rejection(withParams(['k']))).toContain("at 'documentParameters' failed to satisfy constraint: Member must be a map of strings");
  });
});

describe('parseCreateJob: other members', () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  const packages = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iot:us-east-1:123456789012:package/p/version/${i}`);
  const LONGER = 'Member must have length less than or equal to';

  it.each([
    ['description of 2028', { description: 'd'.repeat(2028) }],
    ['description of 2028 emoji (code points, not UTF-16 units)', { description: '😀'.repeat(2028) }],
    ['namespaceId of 64', { namespaceId: 'n'.repeat(64) }],
    ['50 tags', { tags: tags(50) }],
    ['a tag Key of 128 and Value of 256, or no Value', { tags: [{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }, { Key: 'only-key' }] }],
    ['25 destinationPackageVersions', { destinationPackageVersions: packages(25) }],
  ])('accepts %s', (_name, extra) => {
    expect(accepts(extra)).toMatchObject(extra);
  });

  it.each([
    ['documentSource of 1351', { documentSource: 's'.repeat(1351) }, `at 'documentSource' failed to satisfy constraint: ${LONGER} 1350`],
    ['empty documentSource', { documentSource: '' }, "at 'documentSource' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['jobTemplateArn not an ARN', { jobTemplateArn: 'template' }, "at 'jobTemplateArn' failed to satisfy constraint: Member must satisfy regular expression pattern"],
    ['jobTemplateArn of 1601', { jobTemplateArn: `arn:${'a'.repeat(1597)}` }, `at 'jobTemplateArn' failed to satisfy constraint: ${LONGER} 1600`],
    ['description of 2029', { description: 'd'.repeat(2029) }, `at 'description' failed to satisfy constraint: ${LONGER} 2028`],
    ['description with a newline', { description: 'line\nbreak' }, "at 'description' failed to satisfy constraint: Member must not contain control characters"],
    ['lower-case targetSelection', { targetSelection: 'snapshot' }, "Value 'snapshot' at 'targetSelection' failed to satisfy constraint: Member must satisfy enum value set: [SNAPSHOT, CONTINUOUS]"],
    ['namespaceId of 65', { namespaceId: 'n'.repeat(65) }, `at 'namespaceId' failed to satisfy constraint: ${LONGER} 64`],
    ['namespaceId with a slash', { namespaceId: 'a/b' }, "at 'namespaceId' failed to satisfy constraint: Member must satisfy regular expression pattern"],
    ['51 tags', { tags: tags(51) }, `at 'tags' failed to satisfy constraint: ${LONGER} 50`],
    ['empty tag Key', { tags: [{ Key: '' }] }, "at 'tags.1.member.Key' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['tag Key of 129', { tags: [{ Key: 'k'.repeat(129) }] }, `at 'tags.1.member.Key' failed to satisfy constraint: ${LONGER} 128`],
    ['tag Value of 257', { tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }, `at 'tags.1.member.Value' failed to satisfy constraint: ${LONGER} 256`],
    ['tag without Key', { tags: [{ Value: 'v' }] }, "Value null at 'tags.1.member.Key' failed to satisfy constraint: Member must not be null"],
    ['26 destinationPackageVersions', { destinationPackageVersions: packages(26) }, `at 'destinationPackageVersions' failed to satisfy constraint: ${LONGER} 25`],
    ['destinationPackageVersions not ARNs', { destinationPackageVersions: ['1.0.0'] }, "at 'destinationPackageVersions.1.member'"],
  ])('rejects %s', (_name, extra, expected) => {
    expect(rejects(extra)).toContain(expected);
  });
});

describe('parseCreateJob: config limits (§3.3, §4.7)', () => {
  const exponential = { baseRatePerMinute: 50, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 1000 } };
  const rate = (change: Record<string, unknown>) => ({ jobExecutionsRolloutConfig: { exponentialRate: { ...exponential, ...change } } });
  const criterion = { failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 5 };
  const abort = (change: Record<string, unknown>) => ({ abortConfig: { criteriaList: [{ ...criterion, ...change }] } });
  const window = (startTime: unknown, durationInMinutes: unknown = 60) => ({ schedulingConfig: { maintenanceWindows: [{ startTime, durationInMinutes }] } });
  const schedule = { startTime: '2024-02-29T23:59', endTime: '2024-03-01T00:30', endBehavior: 'FORCE_CANCEL', maintenanceWindows: [{ startTime: 'cron(0 2 ? * MON-FRI *)', durationInMinutes: 1430 }] };
  const retries = (...counts: number[]) => ({ jobExecutionsRetryConfig: { criteriaList: counts.map((numberOfRetries) => ({ failureType: 'ALL', numberOfRetries })) } });

  it.each([
    ['maximumPerMinute 1', { jobExecutionsRolloutConfig: { maximumPerMinute: 1 } }],
    ['maximumPerMinute 1000', { jobExecutionsRolloutConfig: { maximumPerMinute: 1000 } }],
    ['baseRatePerMinute 1000', rate({ baseRatePerMinute: 1000 })],
    ['incrementFactor 1.1', rate({ incrementFactor: 1.1 })],
    ['incrementFactor 5', rate({ incrementFactor: 5 })],
    ['incrementFactor 2.5', rate({ incrementFactor: 2.5 })],
    ['numberOfSucceededThings only', rate({ rateIncreaseCriteria: { numberOfSucceededThings: 1 } })],
    ['thresholdPercentage 33.33', abort({ thresholdPercentage: 33.33 })],
    ['thresholdPercentage 0', abort({ thresholdPercentage: 0 })],
    ['thresholdPercentage 100', abort({ thresholdPercentage: 100 })],
    ['failureType ALL', abort({ failureType: 'ALL' })],
    ['minNumberOfExecutedThings 1', abort({ minNumberOfExecutedThings: 1 })],
    ['inProgressTimeoutInMinutes 1', { timeoutConfig: { inProgressTimeoutInMinutes: 1 } }],
    ['inProgressTimeoutInMinutes 10080', { timeoutConfig: { inProgressTimeoutInMinutes: 10080 } }],
    ['numberOfRetries 0', retries(0)],
    ['numberOfRetries 10', retries(10)],
    ['retries 5 + 5', retries(5, 5)],
    ['expiresInSec 60, roleArn of 20', { presignedUrlConfig: { roleArn: 'r'.repeat(20), expiresInSec: 60 } }],
    ['expiresInSec 3600, roleArn of 2048', { presignedUrlConfig: { roleArn: 'r'.repeat(2048), expiresInSec: 3600 } }],
    ['empty timeoutConfig', { timeoutConfig: {} }],
    ['a schedule: YYYY-MM-DDTHH:MM times, end behaviour, cron windows', { schedulingConfig: schedule }],
    ['a maintenance window of 1 minute', window('cron(0 0 * * ? *)', 1)],
  ])('accepts %s', (_name, extra) => {
    expect(accepts(extra)).toMatchObject(extra);
  });

  it.each([
    ['maximumPerMinute 1001', { jobExecutionsRolloutConfig: { maximumPerMinute: 1001 } }, "Value '1001' at 'jobExecutionsRolloutConfig.maximumPerMinute' failed to satisfy constraint: Member must have value less than or equal to 1000"],
    ['maximumPerMinute 0', { jobExecutionsRolloutConfig: { maximumPerMinute: 0 } }, 'Member must have value greater than or equal to 1'],
    ['maximumPerMinute 1.5', { jobExecutionsRolloutConfig: { maximumPerMinute: 1.5 } }, 'Member must be an integer'],
    ['baseRatePerMinute 1001', rate({ baseRatePerMinute: 1001 }), "at 'jobExecutionsRolloutConfig.exponentialRate.baseRatePerMinute'"],
    ['incrementFactor 1.05', rate({ incrementFactor: 1.05 }), "Value '1.05' at 'jobExecutionsRolloutConfig.exponentialRate.incrementFactor' failed to satisfy constraint: Member must have value greater than or equal to 1.1"],
    ['incrementFactor 2.55', rate({ incrementFactor: 2.55 }), 'Member must have at most 1 decimal place'],
    ['incrementFactor 5.1', rate({ incrementFactor: 5.1 }), 'Member must have value less than or equal to 5'],
    ['no rateIncreaseCriteria member', rate({ rateIncreaseCriteria: {} }), 'Member must set numberOfNotifiedThings or numberOfSucceededThings'],
    ['numberOfNotifiedThings 0', rate({ rateIncreaseCriteria: { numberOfNotifiedThings: 0 } }), "at 'jobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria.numberOfNotifiedThings'"],
    ['missing incrementFactor', rate({ incrementFactor: undefined }), "Value null at 'jobExecutionsRolloutConfig.exponentialRate.incrementFactor' failed to satisfy constraint: Member must not be null"],
    ['thresholdPercentage 33.333', abort({ thresholdPercentage: 33.333 }), "Value '33.333' at 'abortConfig.criteriaList.1.member.thresholdPercentage' failed to satisfy constraint: Member must have at most 2 decimal places"],
    ['thresholdPercentage 100.01', abort({ thresholdPercentage: 100.01 }), 'Member must have value less than or equal to 100'],
    ['thresholdPercentage -1', abort({ thresholdPercentage: -1 }), 'Member must have value greater than or equal to 0'],
    ['action STOP', abort({ action: 'STOP' }), 'Member must satisfy enum value set: [CANCEL]'],
    ['failureType SUCCEEDED', abort({ failureType: 'SUCCEEDED' }), 'Member must satisfy enum value set: [FAILED, REJECTED, TIMED_OUT, ALL]'],
    ['minNumberOfExecutedThings 0', abort({ minNumberOfExecutedThings: 0 }), "at 'abortConfig.criteriaList.1.member.minNumberOfExecutedThings'"],
    ['empty abort criteriaList', { abortConfig: { criteriaList: [] } }, "at 'abortConfig.criteriaList' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['inProgressTimeoutInMinutes 10081', { timeoutConfig: { inProgressTimeoutInMinutes: 10081 } }, "Value '10081' at 'timeoutConfig.inProgressTimeoutInMinutes' failed to satisfy constraint: Member must have value less than or equal to 10080"],
    ['inProgressTimeoutInMinutes 0', { timeoutConfig: { inProgressTimeoutInMinutes: 0 } }, 'Member must have value greater than or equal to 1'],
    ['numberOfRetries 11', retries(11), "Value '11' at 'jobExecutionsRetryConfig.criteriaList.1.member.numberOfRetries' failed to satisfy constraint: Member must have value less than or equal to 10"],
    ['numberOfRetries -1', retries(-1), 'Member must have value greater than or equal to 0'],
    ['retries 6 + 5', retries(6, 5), "at 'jobExecutionsRetryConfig.criteriaList' failed to satisfy constraint: Member must have numberOfRetries totalling less than or equal to 10"],
    ['three retry criteria', retries(1, 1, 1), "at 'jobExecutionsRetryConfig.criteriaList' failed to satisfy constraint: Member must have length less than or equal to 2"],
    ['retry failureType REJECTED', { jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'REJECTED', numberOfRetries: 1 }] } }, 'Member must satisfy enum value set: [FAILED, TIMED_OUT, ALL]'],
    ['roleArn of 19', { presignedUrlConfig: { roleArn: 'r'.repeat(19) } }, "at 'presignedUrlConfig.roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"],
    ['roleArn of 2049', { presignedUrlConfig: { roleArn: 'r'.repeat(2049) } }, 'Member must have length less than or equal to 2048'],
    ['expiresInSec 59', { presignedUrlConfig: { expiresInSec: 59 } }, "Value '59' at 'presignedUrlConfig.expiresInSec' failed to satisfy constraint: Member must have value greater than or equal to 60"],
    ['expiresInSec 3601', { presignedUrlConfig: { expiresInSec: 3601 } }, 'Member must have value less than or equal to 3600'],
    ['wrong type: document', { document: { operation: 'x' } }, 'Member must be a string'],
    ['wrong type: description', { description: 5 }, 'Member must be a string'],
    ['wrong type: targetSelection', { targetSelection: 1 }, 'Member must satisfy enum value set'],
    ['wrong type: targets member', { targets: [[SEED_ARN]] }, "at 'targets.1.member' failed to satisfy constraint: Member must be a string"],
    ['wrong type: timeoutConfig', { timeoutConfig: 5 }, "Value '5' at 'timeoutConfig' failed to satisfy constraint: Member must be a structure"],
    ['wrong type: abortConfig', { abortConfig: [] }, "at 'abortConfig' failed to satisfy constraint: Member must be a structure"],
    ['wrong type: maximumPerMinute as a string', { jobExecutionsRolloutConfig: { maximumPerMinute: '10' } }, "Value '10' at 'jobExecutionsRolloutConfig.maximumPerMinute' failed to satisfy constraint: Member must be a number"],
    ['wrong type: numberOfRetries as a boolean', { jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'ALL', numberOfRetries: true }] } }, 'Member must be a number'],
    ['wrong type: tags', { tags: { Key: 'a' } }, "at 'tags' failed to satisfy constraint: Member must be a list"],
    ['wrong type: schedulingConfig.startTime', { schedulingConfig: { startTime: 1735689600 } }, "at 'schedulingConfig.startTime' failed to satisfy constraint: Member must be a string"],
    ['endBehavior STOP', { schedulingConfig: { endBehavior: 'STOP' } }, 'Member must satisfy enum value set: [STOP_ROLLOUT, CANCEL, FORCE_CANCEL]'],
    ['a cron of five fields', window('cron(0 0 * * ?)'), "at 'schedulingConfig.maintenanceWindows.1.member.startTime' failed to satisfy constraint: Member must be a cron expression"],
    ['a window without cron()', window('0 0 * * ? *'), 'Member must be a cron expression'],
    ['a window of 1431 minutes', window('cron(0 0 * * ? *)', 1431), "Value '1431' at 'schedulingConfig.maintenanceWindows.1.member.durationInMinutes' failed to satisfy constraint: Member must have value less than or equal to 1430"],
    ['a window of 0 minutes', window('cron(0 0 * * ? *)', 0), 'Member must have value greater than or equal to 1'],
    ['a window without start', window(undefined), "Value null at 'schedulingConfig.maintenanceWindows.1.member.startTime' failed to satisfy constraint: Member must not be null"],
  ])('rejects %s', (_name, extra, expected) => {
    expect(rejects(extra)).toContain(expected);
  });

  it('reports one error per bad value, and counts every bad member', () => {
    for (const extra of [retries(11), rate({ incrementFactor: 5.55 })]) expect(rejects(extra)).toMatch(/^1 validation error detected/);
    expect(rejects({ targets: Array.from({ length: 1000 }, (_, i) => `bad-${i}`) })).toMatch(/^1000 validation errors detected: (Value 'bad-\d' [^;]*; ){10}…$/);
    const message = rejects({ jobExecutionsRolloutConfig: { maximumPerMinute: 1001 }, timeoutConfig: { inProgressTimeoutInMinutes: 10081 } });
    expect(message).toMatch(/^2 validation errors detected: Value '1001' at 'jobExecutionsRolloutConfig\.maximumPerMinute'.*; Value '10081' at 'timeoutConfig\.inProgressTimeoutInMinutes'/);
  });

  it.each(['2025-01-01T10:00:00Z', '2025-01-01 10:00', '2025-13-01T00:00', '2025-02-30T10:00', '2025-01-01T24:00', '2025-01-01T10:60', ''])('rejects schedule time %j', (startTime) => {
    expect(rejects({ schedulingConfig: { startTime } })).toContain("at 'schedulingConfig.startTime' failed to satisfy constraint");
  });

  it('decimalPlaces reads the shortest round-trip form', () => {
    expect([1.1, 2.55, 33.33, 33.333, 5, 1e-7, 1e21, 0.1 + 0.2].map(decimalPlaces)).toEqual([1, 2, 2, 3, 0, 7, 0, 17]);
  });
});

describe('parseUpdateJob', () => {
  it('takes a missing, null or empty body as no change', () => {
    expect([undefined, null, {}].map((body) => value(parseUpdateJob(body)))).toStrictEqual([{}, {}, {}]);
  });

  it('keeps description and the five configs, ignoring document, targets and schedulingConfig', () => {
    const change = { description: 'new', timeoutConfig: { inProgressTimeoutInMinutes: 10080 }, jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 0 }] } };
    const body = { ...change, document: 5, targets: 'x', schedulingConfig: { startTime: 'never' }, namespaceId: '!' };
    expect(value(parseUpdateJob(body))).toStrictEqual(change);
  });

  it('applies the same limits as CreateJob', () => {
    const message = rejection(parseUpdateJob({ jobExecutionsRolloutConfig: { maximumPerMinute: 1001 } }));
    expect(message).toBe("1 validation error detected: Value '1001' at 'jobExecutionsRolloutConfig.maximumPerMinute' failed to satisfy constraint: Member must have value less than or equal to 1000");
    expect(rejection(parseUpdateJob({ abortConfig: {} }))).toContain("Value null at 'abortConfig.criteriaList'");
    expect(rejection(parseUpdateJob({ description: 'a\u0007' }))).toContain("at 'description'");
    expect(rejection(parseUpdateJob('x'))).toContain('Request body must be a JSON object');
  });
});

describe('parseCancelJob and parseCancelJobExecution', () => {
  const tenDetails = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v']));

  it('accept an empty body, [A-Z0-9_] reason codes up to 128, expectedVersion ≥ 0 and ≤10 status details', () => {
    expect([undefined, null, {}].map((body) => [value(parseCancelJob(body)), value(parseCancelJobExecution(body))])).toStrictEqual([[{}, {}], [{}, {}], [{}, {}]]);
    expect(value(parseCancelJob({ reasonCode: 'R'.repeat(128), comment: 'c'.repeat(2028), force: true }))).toStrictEqual({ reasonCode: 'R'.repeat(128), comment: 'c'.repeat(2028) });
    expect(value(parseCancelJob({ reasonCode: 'FIRMWARE_2_BAD' })).reasonCode).toBe('FIRMWARE_2_BAD');
    expect(value(parseCancelJobExecution({ expectedVersion: 0, statusDetails: tenDetails, force: true }))).toStrictEqual({ expectedVersion: 0, statusDetails: tenDetails });
  });

  it.each([
    ['CancelJob', { reasonCode: 'R'.repeat(129) }, "at 'reasonCode' failed to satisfy constraint: Member must have length less than or equal to 128", parseCancelJob],
    ['CancelJob', { reasonCode: 'lower' }, "Value 'lower' at 'reasonCode' failed to satisfy constraint: Member must satisfy regular expression pattern", parseCancelJob],
    ['CancelJob', { reasonCode: '' }, "at 'reasonCode'", parseCancelJob],
    ['CancelJob', { reasonCode: 7 }, 'Member must be a string', parseCancelJob],
    ['CancelJob', { comment: 'c'.repeat(2029) }, "at 'comment' failed to satisfy constraint: Member must have length less than or equal to 2028", parseCancelJob],
    ['CancelJob', { comment: 'tab\there' }, 'Member must not contain control characters', parseCancelJob],
    ['CancelJobExecution', { expectedVersion: -1 }, "Value '-1' at 'expectedVersion' failed to satisfy constraint: Member must have value greater than or equal to 0", parseCancelJobExecution],
    ['CancelJobExecution', { expectedVersion: 1.5 }, 'Member must be an integer', parseCancelJobExecution],
    ['CancelJobExecution', { expectedVersion: '1' }, 'Member must be a number', parseCancelJobExecution],
    ['CancelJobExecution', { statusDetails: { ...tenDetails, k10: 'v' } }, 'statusDetails may hold at most 10 entries', parseCancelJobExecution],
    ['CancelJobExecution', { statusDetails: { k: 5 } }, "at 'statusDetails' failed to satisfy constraint", parseCancelJobExecution],
    ['CancelJobExecution', { statusDetails: { k: 'v'.repeat(1025) } }, "at 'statusDetails'", parseCancelJobExecution],
    ['CancelJobExecution', { statusDetails: 'x' }, "at 'statusDetails'", parseCancelJobExecution],
  ])('%s rejects %j', (_op, body, expected, parse: (body: unknown) => Result<unknown, ValidationError>) => {
    expect(rejection(parse(body))).toContain(expected);
  });
});

describe('checkSchedule (§4.5)', () => {
  const NOW = Date.UTC(2025, 0, 1, 12, 0);
  const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString().slice(0, 16);
  const DAY = 24 * 60;

  it('returns epoch ms, and nothing for an empty config', () => {
    expect(value(checkSchedule({ startTime: at(30), endTime: at(60) }, NOW))).toStrictEqual({ startMs: NOW + 30 * 60_000, endMs: NOW + 60 * 60_000 });
    expect(value(checkSchedule({}, NOW))).toStrictEqual({});
  });

  it('puts the start in [now+30 min, now+1 year]', () => {
    expect(rejection(checkSchedule({ startTime: at(29) }, NOW))).toContain('schedulingConfig.startTime');
    expect(value(checkSchedule({ startTime: at(365 * DAY) }, NOW)).startMs).toBe(NOW + 365 * DAY * 60_000);
    expect(rejection(checkSchedule({ startTime: at(365 * DAY + 1) }, NOW))).toContain('at most 1 year');
    // Minute precision: 30 s into the minute, a start 29.5 min ahead still counts as 30.
    expect(value(checkSchedule({ startTime: at(30) }, NOW + 30_000)).startMs).toBe(NOW + 30 * 60_000);
  });

  it('puts the end ≥ start+30 min (now+30 min without a start) and ≤ now+2 years', () => {
    expect(value(checkSchedule({ startTime: at(60), endTime: at(90) }, NOW)).endMs).toBe(NOW + 90 * 60_000);
    expect(rejection(checkSchedule({ startTime: at(60), endTime: at(89) }, NOW))).toContain('schedulingConfig.endTime');
    expect(value(checkSchedule({ endTime: at(30) }, NOW)).endMs).toBe(NOW + 30 * 60_000);
    expect(rejection(checkSchedule({ endTime: at(29) }, NOW))).toContain('after now');
    expect(value(checkSchedule({ endTime: at(730 * DAY) }, NOW)).endMs).toBeDefined();
    expect(rejection(checkSchedule({ endTime: at(730 * DAY + 1) }, NOW))).toContain('at most 2 years');
  });

  it('waiveMinimumLead allows a start this minute and a one-minute window', () => {
    const waive = { waiveMinimumLead: true };
    expect(value(checkSchedule({ startTime: at(0), endTime: at(1) }, NOW + 59_000, waive))).toStrictEqual({ startMs: NOW, endMs: NOW + 60_000 });
    expect(rejection(checkSchedule({ startTime: at(-1) }, NOW, waive))).toContain('must not be in the past');
    expect(rejection(checkSchedule({ startTime: at(5), endTime: at(5) }, NOW, waive))).toContain('must be after startTime');
  });

  it('rejects malformed times; parseScheduleTime reads UTC', () => {
    expect(rejection(checkSchedule({ startTime: 'tomorrow' }, NOW))).toContain('YYYY-MM-DDTHH:MM');
    expect([parseScheduleTime('2025-01-01T12:00'), parseScheduleTime('2025-02-29T00:00')]).toEqual([NOW, undefined]);
  });
});

describe('property: parsers never throw', () => {
  const members = 'targets document documentSource description targetSelection jobTemplateArn documentParameters namespaceId tags destinationPackageVersions';
  const configs = 'presignedUrlConfig jobExecutionsRolloutConfig abortConfig timeoutConfig jobExecutionsRetryConfig schedulingConfig';
  const known = fc.constantFrom(...`${members} ${configs} reasonCode comment expectedVersion statusDetails`.split(' '));
  const parsers = [(b: unknown) => parseCreateJob('job-1', b), parseUpdateJob, parseCancelJob, parseCancelJobExecution];
  const settles = (r: Result<unknown, ValidationError>) => (r.ok ? r.value !== undefined : r.error.message.length > 0);

  it('on arbitrary JSON, with any job id', () => {
    fc.assert(fc.property(fc.string(), fc.jsonValue(), (jobId, body) => settles(parseCreateJob(jobId, body))), { numRuns: 500 });
    fc.assert(fc.property(fc.jsonValue(), (body) => parsers.every((parse) => settles(parse(body)))), { numRuns: 300 });
  });

  it('on arbitrary JSON in known members', () => {
    const body = fc.dictionary(known, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 });
    fc.assert(fc.property(body, (b) => parsers.every((parse) => settles(parse({ ...BASE, ...b })))), { numRuns: 500 });
  });

  it('on pathologically deep nesting', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(rejects({ targets: [deep] })).toContain("at 'targets.1.member'");
  });
});
