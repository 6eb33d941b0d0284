/**
 * The Create job page's pure parts: form → CreateJob body and CLI line, presets, and AWS errors →
 * fields. Errors are taken from the server's own validator (parseCreateJob), so a change in its
 * wording that the page can no longer place shows up here.
 */
import { describe, expect, it } from 'vitest';
import { parseCreateJob } from '../../src/cloud/jobs/job-request.js';
import { selectHandler } from '../../src/device/handlers/index.js';
import { fieldsOfProblem, mapAwsError, normalisePath, parentPath, resolveField, sectionOf, splitProblems } from '../../src/dashboard/create-job/field-errors.js';
import { emptyForm, fieldNames, newAbortRow, toggleTarget, type CreateJobForm, type TargetRef } from '../../src/dashboard/create-job/form-state.js';
import { buildCreateJobRequest, cliCommand, documentProblem, numberOrRaw, scheduleTime, shellQuote } from '../../src/dashboard/create-job/job-request.js';
import { PRESETS, applyPreset, shortRandom } from '../../src/dashboard/create-job/presets.js';
import { matchTargets } from '../../src/dashboard/create-job/target-search.js';

const ARN = 'arn:aws:iot:us-east-1:123456789012';
const group = (name: string): TargetRef => ({ name, arn: `${ARN}:thinggroup/${name}` });
const thing = (name: string): TargetRef => ({ name, arn: `${ARN}:thing/${name}` });
const GROUPS = ['London', 'NewYork', 'SaoPaulo', 'Sydney', 'Tokyo'].map(group);
const ORIGIN = 'http://127.0.0.1:8080';
/** Always the same "random" suffix: 0.5 × 36 → 'i'. */
const ctx = { origin: ORIGIN, groups: GROUPS, random: () => 0.5 };

const form = (patch: Partial<CreateJobForm> = {}): CreateJobForm => ({ ...emptyForm(), jobId: 'job-1', groups: [group('Tokyo')], document: '{"operation":"reboot"}', ...patch });

/** What the server answers for this form, placed on the form as the page places it. */
function serverErrors(f: CreateJobForm) {
  const req = buildCreateJobRequest(f);
  const parsed = parseCreateJob(req.jobId, req.body);
  if (parsed.ok) throw new Error('expected the server to reject the request');
  return mapAwsError({ type: 'InvalidRequestException', message: parsed.error.message });
}

describe('buildCreateJobRequest', () => {
  it('turns the workshop form into the workshop request, which the server accepts', () => {
    const f = applyPreset(emptyForm(), 'workshop-change-temp-unit', ctx);
    const req = buildCreateJobRequest(f);
    expect(req).toStrictEqual({
      jobId: 'ChangeTempUnit-iiiiii',
      body: {
        targets: [`${ARN}:thinggroup/SaoPaulo`],
        document: '{"tempUnit":"celsius","ledColor":"green"}',
        targetSelection: 'CONTINUOUS',
        jobExecutionsRolloutConfig: { maximumPerMinute: 1 },
      },
      blockers: [],
    });
    expect(parseCreateJob(req.jobId, req.body).ok).toBe(true);
  });

  it('sends numbers as numbers, leaves out empty optional inputs and sends other text as typed for the server to judge', () => {
    expect(numberOrRaw('')).toBeUndefined();
    expect(numberOrRaw('  ')).toBeUndefined();
    expect(numberOrRaw('12')).toBe(12);
    expect(numberOrRaw(' 1.5 ')).toBe(1.5);
    expect(numberOrRaw('-3')).toBe(-3);
    expect(numberOrRaw('1e3')).toBe(1000);
    expect(numberOrRaw('12abc')).toBe('12abc');
    expect(numberOrRaw('0x10')).toBe('0x10');
    const req = buildCreateJobRequest(form({ description: '', rolloutMode: 'constant', maximumPerMinute: '', inProgressTimeoutInMinutes: '' }));
    expect(req.body).toStrictEqual({ targets: [`${ARN}:thinggroup/Tokyo`], document: '{"operation":"reboot"}', targetSelection: 'SNAPSHOT' });
  });

  it('builds every config from rows, and always sends exponentialRate so the server names what is missing', () => {
    const req = buildCreateJobRequest(
      form({
        description: 'staged',
        things: [thing('SaoPaulo-00001')],
        rolloutMode: 'exponential',
        maximumPerMinute: '20',
        baseRatePerMinute: '2',
        incrementFactor: '1.5',
        rateIncreaseCriterion: 'numberOfNotifiedThings',
        rateIncreaseThreshold: '5',
        abortCriteria: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: '10', minNumberOfExecutedThings: '3' }],
        inProgressTimeoutInMinutes: '30',
        retryCriteria: [{ failureType: 'TIMED_OUT', numberOfRetries: '2' }],
        scheduleStart: '2030-01-02T03:04',
        scheduleEnd: '2030-01-02T05:04:00',
        endBehavior: 'CANCEL',
        maintenanceWindows: [{ startTime: ' cron(0 22 ? * MON-FRI *) ', durationInMinutes: '60' }],
      }),
    );
    expect(req.body).toStrictEqual({
      targets: [`${ARN}:thinggroup/Tokyo`, `${ARN}:thing/SaoPaulo-00001`],
      document: '{"operation":"reboot"}',
      description: 'staged',
      targetSelection: 'SNAPSHOT',
      jobExecutionsRolloutConfig: { maximumPerMinute: 20, exponentialRate: { baseRatePerMinute: 2, incrementFactor: 1.5, rateIncreaseCriteria: { numberOfNotifiedThings: 5 } } },
      abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 3 }] },
      timeoutConfig: { inProgressTimeoutInMinutes: 30 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 2 }] },
      schedulingConfig: { startTime: '2030-01-02T03:04', endTime: '2030-01-02T05:04', endBehavior: 'CANCEL', maintenanceWindows: [{ startTime: 'cron(0 22 ? * MON-FRI *)', durationInMinutes: 60 }] },
    });
    expect(buildCreateJobRequest(form({ rolloutMode: 'exponential' })).body.jobExecutionsRolloutConfig).toStrictEqual({ exponentialRate: { rateIncreaseCriteria: {} } });
  });

  it('sends a template with its non-empty parameters and no document', () => {
    const arn = 'arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0';
    const req = buildCreateJobRequest(form({ documentMode: 'template', document: 'not json', jobTemplateArn: arn, documentParameters: { downloadUrl: 'http://x/y', filePath: '/tmp/y', runAsUser: '' } }));
    expect(req.blockers).toStrictEqual([]);
    expect(req.body).toStrictEqual({ targets: [`${ARN}:thinggroup/Tokyo`], jobTemplateArn: arn, documentParameters: { downloadUrl: 'http://x/y', filePath: '/tmp/y' }, targetSelection: 'SNAPSHOT' });
    expect(parseCreateJob(req.jobId, req.body).ok).toBe(true);
  });

  it('holds back only what the API could not receive: no job id, a document that is not JSON', () => {
    expect(buildCreateJobRequest(form({ jobId: '  ' })).blockers.map((b) => b.field)).toStrictEqual(['jobId']);
    const bad = buildCreateJobRequest(form({ document: '{"a": ' }));
    expect(bad.blockers.map((b) => b.field)).toStrictEqual(['document']);
    expect(bad.blockers[0]?.message).toMatch(/not valid JSON/);
    expect(documentProblem('{"a": ')).toBeDefined();
    expect(documentProblem('[1]')).toBeUndefined();
    // No targets and out-of-range values are the server's to judge.
    expect(buildCreateJobRequest(form({ groups: [], maximumPerMinute: '0', rolloutMode: 'constant' })).blockers).toStrictEqual([]);
  });

  it('reads datetime-local values as UTC schedule times', () => {
    expect(scheduleTime('2030-05-06T07:08')).toBe('2030-05-06T07:08');
    expect(scheduleTime('2030-05-06T07:08:09.123')).toBe('2030-05-06T07:08');
    expect(scheduleTime('')).toBeUndefined();
    expect(scheduleTime('tomorrow')).toBe('tomorrow');
  });
});

describe('cliCommand', () => {
  it('spells the same request as aws iot create-job', () => {
    const req = buildCreateJobRequest(applyPreset(emptyForm(), 'workshop-change-temp-unit', ctx));
    expect(cliCommand(req, ORIGIN)).toBe(
      [
        'aws iot create-job --job-id ChangeTempUnit-iiiiii',
        `--targets ${ARN}:thinggroup/SaoPaulo`,
        `--document '{"tempUnit":"celsius","ledColor":"green"}'`,
        '--target-selection CONTINUOUS',
        `--job-executions-rollout-config '{"maximumPerMinute":1}'`,
        `--endpoint-url ${ORIGIN}`,
      ].join(' \\\n  '),
    );
  });

  it('quotes for a POSIX shell', () => {
    expect(shellQuote('abc-1_2')).toBe('abc-1_2');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a b')).toBe("'a b'");
    expect(cliCommand({ jobId: '', body: { description: 'two words' } }, ORIGIN)).toContain("--job-id '<job-id>' \\\n  --description 'two words'");
  });
});

describe('presets', () => {
  it('are documents the thermostats handle', () => {
    const expected: Record<string, string> = { 'workshop-change-temp-unit': 'settings-change', download: 'download', 'package-install': 'package-install', reboot: 'reboot' };
    for (const preset of PRESETS) {
      if (!preset.document) continue;
      const doc = preset.document({ origin: ORIGIN }) as Record<string, unknown>;
      const handler = selectHandler(doc);
      expect(handler.ok && handler.value.name).toBe(expected[preset.id]);
      if (handler.ok) expect(handler.value.check(doc)).toBeUndefined();
    }
  });

  it('the workshop preset targets São Paulo, CONTINUOUS, one a minute, under a fresh job id', () => {
    const f = applyPreset({ ...emptyForm(), jobId: 'mine', things: [thing('Tokyo-00001')] }, 'workshop-change-temp-unit', ctx);
    expect(f).toMatchObject({ jobId: 'ChangeTempUnit-iiiiii', groups: [group('SaoPaulo')], things: [], targetSelection: 'CONTINUOUS', rolloutMode: 'constant', maximumPerMinute: '1', preset: 'workshop-change-temp-unit' });
    expect(JSON.parse(f.document)).toStrictEqual({ tempUnit: 'celsius', ledColor: 'green' });
    // Without a SaoPaulo group, the targets stay as they were.
    const without = applyPreset({ ...emptyForm(), groups: [group('Tokyo')] }, 'workshop-change-temp-unit', { ...ctx, groups: [group('Tokyo')] });
    expect(without.groups).toStrictEqual([group('Tokyo')]);
  });

  it('other presets set the document, and a job id only where none was typed', () => {
    const download = applyPreset(emptyForm(), 'download', ctx);
    expect(download.jobId).toBe('Download-iiiiii');
    expect(JSON.parse(download.document)).toMatchObject({ operation: 'download', files: { url: `${ORIGIN}/_acfleet/dashboard/index.html` } });
    expect(applyPreset(download, 'reboot', ctx).jobId).toBe('Reboot-iiiiii');
    expect(applyPreset({ ...download, jobId: 'typed' }, 'reboot', ctx).jobId).toBe('typed');
    const custom = applyPreset({ ...download, document: '{"x":1}' }, 'custom', ctx);
    expect(custom).toMatchObject({ preset: 'custom', document: '{"x":1}', jobId: 'Download-iiiiii' });
  });

  it('makes short random suffixes a job id may hold', () => {
    expect(shortRandom(() => 0)).toBe('000000');
    expect(shortRandom(() => 0.999999)).toBe('zzzzzz');
    expect(shortRandom()).toMatch(/^[a-z0-9]{6}$/);
  });
});

describe('mapAwsError: the server validator messages, placed on fields', () => {
  it('places an invalid rollout rate on its input', () => {
    const errors = serverErrors(form({ rolloutMode: 'constant', maximumPerMinute: '0' }));
    expect(errors).toStrictEqual({
      fields: [
        {
          field: 'jobExecutionsRolloutConfig.maximumPerMinute',
          message: "Value '0' at 'jobExecutionsRolloutConfig.maximumPerMinute' failed to satisfy constraint: Member must have value greater than or equal to 1",
        },
      ],
      form: [],
    });
    expect(serverErrors(form({ rolloutMode: 'constant', maximumPerMinute: '1001' })).fields.map((e) => e.field)).toStrictEqual(['jobExecutionsRolloutConfig.maximumPerMinute']);
  });

  it('places every problem of a many-error message, list items 0-based', () => {
    const f = form({
      jobId: 'bad id',
      groups: [],
      rolloutMode: 'exponential',
      incrementFactor: '7',
      abortCriteria: [newAbortRow(), { ...newAbortRow(), thresholdPercentage: '101', minNumberOfExecutedThings: '0' }],
      inProgressTimeoutInMinutes: '0',
      retryCriteria: [{ failureType: 'FAILED', numberOfRetries: '11' }],
      maintenanceWindows: [{ startTime: 'bad', durationInMinutes: '0' }],
    });
    const fields = serverErrors(f).fields.map((e) => e.field);
    expect(fields).toStrictEqual([
      'jobId',
      'targets',
      'jobExecutionsRolloutConfig.exponentialRate.baseRatePerMinute',
      'jobExecutionsRolloutConfig.exponentialRate.incrementFactor',
      'jobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria',
      'abortConfig.criteriaList[0].thresholdPercentage',
      'abortConfig.criteriaList[0].minNumberOfExecutedThings',
      'abortConfig.criteriaList[1].thresholdPercentage',
      'abortConfig.criteriaList[1].minNumberOfExecutedThings',
      'timeoutConfig.inProgressTimeoutInMinutes',
    ]);
    // Past ten problems the server lists "…" (the count still says how many): nothing left for the form box.
    expect(serverErrors(f).form).toStrictEqual([]);
    const shown = fieldNames(f, []);
    for (const field of fields) expect(resolveField(field, shown)).toBe(field);
  });

  it('places the later rows and configs once the first problems are fixed', () => {
    const f = form({
      abortCriteria: [{ ...newAbortRow(), thresholdPercentage: '10', minNumberOfExecutedThings: '1' }, { ...newAbortRow(), thresholdPercentage: '101', minNumberOfExecutedThings: '0' }],
      inProgressTimeoutInMinutes: '0',
      retryCriteria: [{ failureType: 'FAILED', numberOfRetries: '11' }],
      maintenanceWindows: [{ startTime: 'bad', durationInMinutes: '0' }],
    });
    expect(serverErrors(f).fields.map((e) => e.field)).toStrictEqual([
      'abortConfig.criteriaList[1].thresholdPercentage',
      'abortConfig.criteriaList[1].minNumberOfExecutedThings',
      'timeoutConfig.inProgressTimeoutInMinutes',
      'jobExecutionsRetryConfig.criteriaList[0].numberOfRetries',
      'schedulingConfig.maintenanceWindows[0].startTime',
      'schedulingConfig.maintenanceWindows[0].durationInMinutes',
    ]);
  });

  it('shows a retries total on the retry section, a wrong type on its input, an unknown enum on its select', () => {
    const retries = serverErrors(form({ retryCriteria: [{ failureType: 'FAILED', numberOfRetries: '6' }, { failureType: 'TIMED_OUT', numberOfRetries: '6' }] }));
    expect(retries.fields.map((e) => e.field)).toStrictEqual(['jobExecutionsRetryConfig.criteriaList']);
    expect(resolveField('jobExecutionsRetryConfig.criteriaList', fieldNames(form(), []))).toBe('jobExecutionsRetryConfig');
    const typed = serverErrors(form({ rolloutMode: 'constant', maximumPerMinute: 'fast' }));
    expect(typed.fields).toMatchObject([{ field: 'jobExecutionsRolloutConfig.maximumPerMinute', message: expect.stringContaining('Member must be a number') }]);
  });

  it('places the cross-member document rule on the document, or on the template picker in template mode', () => {
    const errors = serverErrors(form({ documentMode: 'template', jobTemplateArn: '' }));
    expect(errors.fields.map((e) => e.field)).toStrictEqual(['document']);
    expect(resolveField('document', fieldNames(form({ documentMode: 'template' }), []))).toBe('jobTemplateArn');
    expect(resolveField('document', fieldNames(form(), []))).toBe('document');
  });

  it("places the service's own messages: schedule, cron, template parameters, missing resources, duplicates", () => {
    const at = (type: string, message: string) => mapAwsError({ type, message });
    expect(at('InvalidRequestException', 'schedulingConfig.startTime 2020-01-01T00:00 must be at least 30 minutes from now and at most 1 year from now').fields[0]?.field).toBe('schedulingConfig.startTime');
    expect(at('InvalidRequestException', 'schedulingConfig.endTime 2020-01-01T00:00 must be at least 30 minutes after now').fields[0]?.field).toBe('schedulingConfig.endTime');
    expect(at('InvalidRequestException', 'schedulingConfig.maintenanceWindows[0].startTime cron(99 * * * ? *): minutes: 99 is outside 0–59').fields[0]?.field).toBe(
      'schedulingConfig.maintenanceWindows[0].startTime',
    );
    const tpl = 'arn:aws:iot:us-east-1::jobtemplate/AWS-Download-File:1.0';
    expect(at('InvalidRequestException', `Missing required document parameters downloadUrl, filePath for job template ${tpl}`).fields.map((e) => e.field)).toStrictEqual([
      'documentParameters.downloadUrl',
      'documentParameters.filePath',
    ]);
    expect(at('InvalidRequestException', `Document parameter zzz is not defined by job template ${tpl}`).fields[0]?.field).toBe('documentParameters.zzz');
    expect(at('InvalidRequestException', `Value for document parameter runAsUser of job template ${tpl} must match the regular expression (.){0,256}`).fields[0]?.field).toBe('documentParameters.runAsUser');
    expect(at('InvalidRequestException', 'documentParameters may only be used with an AWS managed job template (…)').fields[0]?.field).toBe('documentParameters');
    expect(at('ResourceNotFoundException', 'Thing group Nope cannot be found.')).toStrictEqual({ fields: [{ field: 'targets', message: 'Thing group Nope cannot be found.' }], form: [] });
    expect(at('ResourceNotFoundException', 'Thing Nope-1 cannot be found.').fields[0]?.field).toBe('targets');
    expect(at('ResourceNotFoundException', `Job template ${tpl} cannot be found.`).fields[0]?.field).toBe('jobTemplateArn');
    expect(at('ResourceAlreadyExistsException', 'Job j2 already exists.').fields[0]?.field).toBe('jobId');
    expect(at('LimitExceededException', 'Too many jobs')).toStrictEqual({ fields: [], form: ['Too many jobs'] });
    expect(at('InvalidRequestException', '1 validation error detected: Request body must be a JSON object')).toStrictEqual({ fields: [], form: ['Request body must be a JSON object'] });
  });

  it('an unknown template parameter has no input of its own: it shows on the parameters box', () => {
    const shown = fieldNames(form({ documentMode: 'template' }), ['downloadUrl', 'filePath']);
    expect(resolveField('documentParameters.zzz', shown)).toBe('documentParameters');
    expect(resolveField('documentParameters.filePath', shown)).toBe('documentParameters.filePath');
    expect(resolveField('documentParameters.zzz', fieldNames(form({ documentMode: 'template' }), []))).toBe('jobTemplateArn');
    expect(resolveField('presignedUrlConfig.roleArn', shown)).toBeUndefined();
  });
});

describe('error message plumbing', () => {
  it('normalises AWS list paths to 0-based input names', () => {
    expect(normalisePath('abortConfig.criteriaList.1.member.thresholdPercentage')).toBe('abortConfig.criteriaList[0].thresholdPercentage');
    expect(normalisePath('targets.3.member')).toBe('targets[2]');
    expect(normalisePath('documentParameters.1')).toBe('documentParameters.1');
  });

  it('splits problems, keeping a value that holds "; " whole', () => {
    const v = "Value 'a; b' at 'description' failed to satisfy constraint: Member must not contain control characters";
    const w = "Value '0' at 'timeoutConfig.inProgressTimeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1";
    expect(splitProblems(`${v}; ${w}; …`)).toStrictEqual([v, w]);
    expect(fieldsOfProblem(v)).toStrictEqual(['description']);
    expect(fieldsOfProblem("Value null at 'targets' failed to satisfy constraint: Member must not be null")).toStrictEqual(['targets']);
    expect(fieldsOfProblem('Something else entirely')).toStrictEqual([]);
  });

  it('resolves to the nearest field on screen and knows each section', () => {
    expect(parentPath('a.b[0].c')).toBe('a.b[0]');
    expect(parentPath('a.b[0]')).toBe('a.b');
    expect(parentPath('a')).toBeUndefined();
    const shown = fieldNames(form({ abortCriteria: [newAbortRow()] }), []);
    expect(resolveField('abortConfig.criteriaList[0].action', shown)).toBe('abortConfig.criteriaList[0].action');
    expect(resolveField('abortConfig.criteriaList[3].action', shown)).toBe('abortConfig');
    expect(resolveField('jobExecutionsRolloutConfig.maximumPerMinute', shown)).toBe('jobExecutionsRolloutConfig');
    expect(sectionOf('abortConfig.criteriaList[0].action')).toBe('abort');
    expect(sectionOf('jobExecutionsRetryConfig')).toBe('timeouts');
    expect(sectionOf('schedulingConfig.endTime')).toBe('scheduling');
    expect(sectionOf('jobTemplateArn')).toBe('document');
    expect(sectionOf('nonsense')).toBeUndefined();
  });
});

describe('targets', () => {
  it('shows only matches, capped, with how many matched', () => {
    const things = Array.from({ length: 10_000 }, (_, i) => thing(`${i % 2 ? 'Tokyo' : 'London'}-${String(i).padStart(5, '0')}`));
    const all = matchTargets(things, '', 150);
    expect(all.total).toBe(10_000);
    expect(all.shown).toHaveLength(150);
    const tokyo = matchTargets(things, 'tokyo 0999', 150);
    expect(tokyo.shown.map((t) => t.name)).toStrictEqual(['Tokyo-00999', 'Tokyo-09991', 'Tokyo-09993', 'Tokyo-09995', 'Tokyo-09997', 'Tokyo-09999']);
    expect(tokyo.total).toBe(6);
    expect(matchTargets(things, 'TOKYO', 2)).toMatchObject({ total: 5000, shown: [{ name: 'Tokyo-00001' }, { name: 'Tokyo-00003' }] });
  });

  it('toggles targets keeping their order', () => {
    const a = toggleTarget([], group('A'), true);
    const ab = toggleTarget(a, group('B'), true);
    expect(toggleTarget(ab, group('A'), true).map((t) => t.name)).toStrictEqual(['B', 'A']);
    expect(toggleTarget(ab, group('A'), false).map((t) => t.name)).toStrictEqual(['B']);
  });
});
