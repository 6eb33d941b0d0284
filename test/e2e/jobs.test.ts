/**
 * Issue 7, browser: the Jobs pages and the Create-job form's less travelled paths, on one fleet at
 * --speed 60. A job canceled from its page (London, 2 a minute) stops releasing; an abort
 * criterion cancels a job whose devices reject its document (Tokyo); a job from the AWS-Reboot
 * managed template runs on one thing; an abort threshold of 101 is shown next to its field in the
 * collapsed Abort section, which opens, and no job is created.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { announceChromiumSkip, hasChromium, screenshot, type Session } from './helpers/browser.js';
import { fieldError, openForm, waitForFieldError } from './helpers/create-job-form.js';
import { DEFAULT_CITIES, textOf, until } from './helpers/fleet-page.js';
import { getJson, type DashboardStack } from './helpers/stack.js';
import { dashboardSuite } from './helpers/suite.js';

announceChromiumSkip('the jobs pages and the create-job form');

const LONDON = DEFAULT_CITIES[2];
const TOKYO = DEFAULT_CITIES[3];
const REBOOT_TEMPLATE_ARN = 'arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot:1.0';
const REBOOT_THING = 'Sydney-00001';
const THRESHOLD_FIELD = 'abortConfig.criteriaList[0].thresholdPercentage';
/** Rollouts here take seconds of wall time; generous for a loaded CI box. */
const JOB_DEADLINE_MS = 60_000;

interface DescribedJob {
  job: {
    jobId: string;
    status: string;
    reasonCode?: string;
    comment?: string;
    targets: string[];
    targetSelection: string;
    jobTemplateArn?: string;
    jobProcessDetails?: Record<string, number>;
  };
}

interface JobProgressBody {
  now: number;
  status: string;
  toRelease: number;
  executions: Record<string, number> & { total: number };
}

interface ThingExecutions {
  executionSummaries: { jobId: string; jobExecutionSummary: { status: string } }[];
}

/** The job page's stacked bar, as its data attributes and legend say. */
interface PageCounts {
  succeeded: number;
  inProgress: number;
  queued: number;
  failed: number;
  toRelease: number;
  canceled: number;
  rejected: number;
}

async function readCounts(page: Page): Promise<PageCounts | undefined> {
  const bar = page.locator('[data-testid="job-page"] [data-testid="job-counts"]');
  if ((await bar.count()) === 0) return undefined;
  const first = bar.first();
  const attr = async (name: string): Promise<number> => Number(await first.getAttribute(name, { timeout: 2_000 }));
  const legend = async (part: string): Promise<number> => Number((await first.locator(`[data-part="${part}"] .legend-num`).textContent({ timeout: 2_000 })) ?? 'NaN');
  return {
    succeeded: await attr('data-succeeded'),
    inProgress: await attr('data-in-progress'),
    queued: await attr('data-queued'),
    failed: await attr('data-failed'),
    toRelease: await attr('data-to-release'),
    canceled: await legend('canceled'),
    rejected: await legend('rejected'),
  };
}

const jobStatusOnPage = (page: Page): Promise<string | undefined> => textOf(page, '[data-testid="job-page"] [data-testid="job-status"]');

/** Ticks a target's checkbox once the registry listing has drawn it; searches first, as the lists are capped. */
async function chooseTarget(page: Page, kind: 'targetGroup' | 'targetThing', name: string): Promise<void> {
  await page.locator('input[type="search"].cj-search').fill(name);
  const box = page.locator(`input[type="checkbox"][name="${kind}"][value="${name}"]`);
  await box.waitFor({ timeout: 15_000 });
  await box.check();
  expect(await box.isChecked(), `${name} ticked`).toBe(true);
}

async function fillDocument(page: Page, document: string): Promise<void> {
  await page.locator('select[data-testid="document-preset"]').selectOption('custom');
  await page.locator('textarea[name="document"]').fill(document);
  expect(await textOf(page, '[data-testid="document-status"]'), 'the editor accepts the JSON').toMatch(/^✓ valid JSON/);
}

async function constantRollout(page: Page, perMinute: number): Promise<void> {
  await page.locator('select[name="rolloutMode"]').selectOption('constant');
  await page.locator('input[name="jobExecutionsRolloutConfig.maximumPerMinute"]').fill(String(perMinute));
}

/** Opens the collapsed Abort section and fills one criterion. */
async function addAbortCriterion(page: Page, row: { failureType: string; threshold: string; minExecuted: string }): Promise<void> {
  const section = page.locator('[data-testid="section-abort"]');
  await section.locator('summary').click();
  await until('the Abort section open', async () => ((await section.getAttribute('open')) !== null ? true : undefined), 5_000);
  await section.locator('[data-testid="add-abort-criterion"]').click();
  const base = 'abortConfig.criteriaList[0]';
  await section.locator(`select[name="${base}.failureType"]`).selectOption(row.failureType);
  await section.locator(`select[name="${base}.action"]`).selectOption('CANCEL');
  await section.locator(`input[name="${base}.thresholdPercentage"]`).fill(row.threshold);
  await section.locator(`input[name="${base}.minNumberOfExecutedThings"]`).fill(row.minExecuted);
}

/** Submits and waits for the new job's page. */
async function submitToJobPage(page: Page, jobId: string): Promise<void> {
  await page.locator('[data-testid="create-job-submit"]').click();
  await page.locator(`[data-testid="job-page"][data-job-id="${jobId}"]`).waitFor({ timeout: 15_000 });
  expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/jobs/${jobId}`);
}

const uniqueId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}`;

describe.skipIf(!hasChromium)('the jobs pages and the create-job form in a browser', () => {
  // The abort-threshold test provokes a CreateJob validation error.
  const suite = dashboardSuite({ createJob400s: true });
  let stack: DashboardStack;
  let session: Session;

  const describeJob = (jobId: string): Promise<DescribedJob> => getJson<DescribedJob>(stack, `/jobs/${encodeURIComponent(jobId)}`);
  const progressOf = (jobId: string): Promise<JobProgressBody> => getJson<JobProgressBody>(stack, `/_acfleet/jobs/${encodeURIComponent(jobId)}/progress`);

  beforeAll(() => {
    ({ stack, session } = suite);
  });

  it('cancels a rolling-out job from its page: CANCELED on the page, in the list and through the API, and nothing more is released', async () => {
    const page = await openForm(session, stack);
    const jobId = uniqueId('CancelLondon');
    await page.locator('input[name="jobId"]').fill(jobId);
    await chooseTarget(page, 'targetGroup', LONDON.group);
    await fillDocument(page, '{"ledColor":"green"}');
    await page.locator('select[name="targetSelection"]').selectOption('SNAPSHOT');
    await constantRollout(page, 2);
    await submitToJobPage(page, jobId);

    // Some done, the rest still waiting for the rollout (at 2 a minute, 35 devices take 17.5 wall seconds).
    let counts: PageCounts | undefined;
    await until(
      'some executions succeeded while others wait to be released',
      async () => ((counts = await readCounts(page)) && counts.succeeded >= 1 && counts.toRelease > 0 ? true : undefined),
      JOB_DEADLINE_MS,
      () => JSON.stringify(counts),
    );
    expect(await jobStatusOnPage(page)).toBe('IN_PROGRESS');

    await page.locator('[data-testid="cancel-job"]').click();
    const dialog = page.locator('[data-testid="cancel-dialog"]');
    await until('the cancel dialog open', async () => ((await dialog.getAttribute('open')) !== null ? true : undefined), 5_000);
    expect(await dialog.locator('[data-testid="cancel-force"]').isChecked(), 'force is off by default').toBe(false);
    await dialog.locator('[data-testid="cancel-confirm"]').click();

    let status: string | undefined;
    await until('the job page to read CANCELED', async () => ((status = await jobStatusOnPage(page)) === 'CANCELED' ? true : undefined), 15_000, () => String(status));
    expect(await page.locator('[data-testid="cancel-error"]').count(), 'no cancel error').toBe(0);
    // Not forced: the executions in progress finish; nothing queued or unreleased is left.
    await until(
      'the counters to settle: nothing queued, in progress or to release',
      async () => ((counts = await readCounts(page)) && counts.queued === 0 && counts.inProgress === 0 && counts.toRelease === 0 ? true : undefined),
      JOB_DEADLINE_MS,
      () => JSON.stringify(counts),
    );
    const settled = counts as PageCounts;
    expect(settled.succeeded).toBeGreaterThanOrEqual(1);
    expect(settled.failed).toBe(0);
    expect(settled.succeeded + settled.canceled, 'every released target ended succeeded or canceled').toBeLessThan(LONDON.count);
    expect(await page.locator('[data-testid="cancel-job"]').textContent(), 'the button now offers a force cancel').toContain('Force cancel');
    // The executions table polls on its own: wait until it too shows every execution ended.
    const rows = page.locator('[data-testid="job-execution-row"]');
    let statuses = '';
    await until(
      'the executions table with every execution ended',
      async () => {
        statuses = ((await page.locator('[data-testid="job-executions"]').textContent()) ?? '').replace(/\s+/g, ' ');
        return (await rows.count()) === settled.succeeded + settled.canceled && !/IN_PROGRESS|QUEUED/.test(statuses) ? true : undefined;
      },
      15_000,
      () => statuses,
    );
    await screenshot(page, 'jobs-1-canceled-job-page');

    // The AWS API agrees.
    const { job } = await describeJob(jobId);
    expect(job.status).toBe('CANCELED');
    expect(job.targetSelection).toBe('SNAPSHOT');
    expect(job.targets).toEqual([expect.stringMatching(/:thinggroup\/London$/)]);

    // The rollout stopped: four release slots (two simulated minutes at 2 a minute) later, no more executions.
    const atCancel = await progressOf(jobId);
    expect(atCancel.toRelease).toBe(0);
    let later: JobProgressBody | undefined;
    await until(
      'two simulated minutes after the cancel',
      async () => ((later = await progressOf(jobId)).now >= atCancel.now + 2 * 60_000 ? later : undefined),
      JOB_DEADLINE_MS,
      () => JSON.stringify(later?.now),
    );
    expect(later?.executions.total, 'executions after the cancel').toBe(atCancel.executions.total);
    expect(later?.executions.total).toBeLessThan(LONDON.count);

    // The jobs list shows the row as CANCELED.
    await page.locator('[data-testid="nav-jobs"]').click();
    const row = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
    await row.waitFor({ timeout: 15_000 });
    let rowStatus = '';
    await until(
      'the jobs list row reading CANCELED',
      async () => ((rowStatus = ((await row.locator('[data-testid="job-status"]').textContent()) ?? '').trim()) === 'CANCELED' ? true : undefined),
      10_000,
      () => rowStatus,
    );
    await screenshot(page, 'jobs-2-list');
    await page.close();
  });

  it('shows an abort criterion on the job page, and the criterion cancels the job when devices reject its document', async () => {
    const page = await openForm(session, stack);
    const jobId = uniqueId('AbortTokyo');
    await page.locator('input[name="jobId"]').fill(jobId);
    await chooseTarget(page, 'targetGroup', TOKYO.group);
    await fillDocument(page, '{"operation":"bogus"}');
    await constantRollout(page, 10);
    await addAbortCriterion(page, { failureType: 'REJECTED', threshold: '50', minExecuted: '3' });
    await submitToJobPage(page, jobId);

    const criterion = page.locator('[data-testid="abort-criteria"] tr[data-failure-type="REJECTED"]');
    await criterion.waitFor({ timeout: 15_000 });
    const criterionText = (await criterion.textContent()) ?? '';
    expect(criterionText).toContain('CANCEL at ≥ 50%');
    expect(criterionText).toContain('min 3');

    let seen = '';
    await until(
      'the job CANCELED by its abort criterion, the table showing it met',
      async () => {
        const status = await jobStatusOnPage(page);
        const met = await criterion.getAttribute('data-met');
        const reason = (await textOf(page, '[data-testid="job-cancel-reason"]')) ?? '';
        seen = `status ${String(status)}, met ${String(met)}, reason "${reason}"`;
        return status === 'CANCELED' && met === 'true' && reason.includes('ABORT_CRITERIA_MET') ? true : undefined;
      },
      JOB_DEADLINE_MS,
      () => seen,
    );
    expect(((await criterion.textContent()) ?? '').toLowerCase()).toContain('met: cancels the job');
    let counts: PageCounts | undefined;
    await until('the rejections counted on the page', async () => ((counts = await readCounts(page)) && counts.rejected >= 3 ? true : undefined), 15_000, () => JSON.stringify(counts));
    expect(counts?.succeeded, 'no device handles a bogus operation').toBe(0);
    await screenshot(page, 'jobs-3-aborted-job-page');

    const { job } = await describeJob(jobId);
    expect(job.status).toBe('CANCELED');
    expect(job.reasonCode).toBe('ABORT_CRITERIA_MET');
    expect(job.comment).toMatch(/REJECTED/);
    await page.close();
  });

  it('creates a job from the AWS-Reboot managed template for one thing, which reboots and succeeds', async () => {
    const page = await openForm(session, stack);
    const jobId = uniqueId('RebootSydney');
    await page.locator('input[name="jobId"]').fill(jobId);
    await chooseTarget(page, 'targetThing', REBOOT_THING);

    await page.locator('input[type="radio"][name="documentMode"][value="template"]').check();
    const templates = page.locator('select[name="jobTemplateArn"]');
    await templates.locator(`option[value="${REBOOT_TEMPLATE_ARN}"]`).waitFor({ state: 'attached', timeout: 15_000 });
    await templates.selectOption(REBOOT_TEMPLATE_ARN);
    // AWS-Reboot's two parameters are optional: shown as inputs, left empty.
    const params = page.locator('fieldset.cj-params');
    await params.waitFor({ timeout: 15_000 });
    expect(await params.locator('input[name="documentParameters.runAsUser"]').count()).toBe(1);
    expect(await params.locator('input[name="documentParameters.pathToHandler"]').count()).toBe(1);
    expect(await page.locator('textarea[name="document"]').count(), 'no document editor in template mode').toBe(0);

    // The request the form sends carries the template, not a document.
    await page.locator('[data-testid="request-preview"] summary').click();
    const preview = await until('the request preview', async () => ((await textOf(page, '[data-testid="preview-json"]')) || undefined), 5_000);
    const body = JSON.parse(preview) as Record<string, unknown>;
    expect(body.jobTemplateArn).toBe(REBOOT_TEMPLATE_ARN);
    expect(body.document).toBeUndefined();
    expect(body.targets).toEqual([expect.stringMatching(new RegExp(`:thing/${REBOOT_THING}$`))]);

    await submitToJobPage(page, jobId);
    let counts: PageCounts | undefined;
    await until('the job page counting one succeeded', async () => ((counts = await readCounts(page)) && counts.succeeded === 1 ? true : undefined), JOB_DEADLINE_MS, () => JSON.stringify(counts));
    expect(counts).toMatchObject({ failed: 0, inProgress: 0, queued: 0, rejected: 0 });
    const execution = page.locator(`[data-testid="job-execution-row"][data-thing="${REBOOT_THING}"]`);
    await until('the execution row reading SUCCEEDED', async () => ((await execution.count()) > 0 && /succeeded/i.test((await execution.first().textContent()) ?? '') ? true : undefined), 10_000);
    await screenshot(page, 'jobs-4-template-job-page');

    const { job } = await describeJob(jobId);
    expect(job.jobTemplateArn).toBe(REBOOT_TEMPLATE_ARN);
    const onThing = await getJson<ThingExecutions>(stack, `/things/${REBOOT_THING}/jobs`);
    expect(onThing.executionSummaries.find((e) => e.jobId === jobId)?.jobExecutionSummary.status).toBe('SUCCEEDED');
    await page.close();
  });

  it('shows an abort threshold of 101 next to its field, opening the collapsed Abort section, and creates no job', async () => {
    const page = await openForm(session, stack);
    await page.locator('select[data-testid="document-preset"]').selectOption('reboot');
    const jobId = await page.locator('input[name="jobId"]').inputValue();
    expect(jobId, 'the preset fills a job id').not.toBe('');
    await chooseTarget(page, 'targetThing', REBOOT_THING);
    await addAbortCriterion(page, { failureType: 'ALL', threshold: '101', minExecuted: '3' });
    // Closed again: the error must open it.
    const section = page.locator('[data-testid="section-abort"]');
    await section.locator('summary').click();
    await until('the Abort section closed', async () => ((await section.getAttribute('open')) === null ? true : undefined), 5_000);
    const jobsBefore = (await getJson<{ jobs: { jobId: string }[] }>(stack, '/jobs')).jobs.length;

    await page.locator('[data-testid="create-job-submit"]').click();
    const shown = await waitForFieldError(page, THRESHOLD_FIELD);
    expect(shown).toContain('101');
    expect(shown).toMatch(/less than or equal to 100/);
    expect(await section.getAttribute('open'), 'the Abort section opened by the error').not.toBeNull();
    expect(await fieldError(page, THRESHOLD_FIELD).first().isVisible()).toBe(true);
    expect(await section.locator('summary').textContent()).toContain('1 error');
    expect(await page.locator(`input[name="${THRESHOLD_FIELD}"]`).inputValue()).toBe('101');
    expect(await page.locator('[data-testid="create-job-page"]').count(), 'still on the form').toBe(1);
    await screenshot(page, 'jobs-5-abort-threshold-error');

    const res = await fetch(`${stack.http}/jobs/${encodeURIComponent(jobId)}`);
    expect(res.status, 'DescribeJob of the refused job').toBe(404);
    expect((await getJson<{ jobs: unknown[] }>(stack, '/jobs')).jobs.length, 'ListJobs unchanged').toBe(jobsBefore);
    await page.close();
  });
});
