/**
 * Issue 7, browser: the workshop run from the dashboard alone at --speed 60. The create-job form's
 * ChangeTempUnit preset targets São Paulo continuously at one device a simulated minute (a wall
 * second); on the fleet page São Paulo's LEDs go blue, then all 60 green and °C, while the other
 * cities keep their red LEDs and units. Device and job pages are looked at during and after.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { announceChromiumSkip, hasChromium, screenshot, type Session } from './helpers/browser.js';
import { DEFAULT_CITIES, LED_HISTORY_SCRIPT, ledHistory, readCity, textOf, until, type CityCard } from './helpers/fleet-page.js';
import { FLEET_SIZE, getJson, type DashboardStack } from './helpers/stack.js';
import { dashboardSuite } from './helpers/suite.js';

announceChromiumSkip('the workshop from the dashboard');

const SAO_PAULO = DEFAULT_CITIES[0];
const OTHERS = DEFAULT_CITIES.slice(1);
/** 60 releases a wall second apart plus each device's work: about 70 s; generous for a loaded CI box. */
const ROLLOUT_DEADLINE_MS = 240_000;

interface DescribedJob {
  job: {
    jobId: string;
    targetSelection: string;
    targets: string[];
    jobExecutionsRolloutConfig?: { maximumPerMinute?: number };
  };
}

interface ExecutionsForJob {
  executionSummaries: { thingArn: string; jobExecutionSummary: { status: string } }[];
}

describe.skipIf(!hasChromium)('the workshop, from the dashboard alone', () => {
  const suite = dashboardSuite({ initScript: LED_HISTORY_SCRIPT });
  let stack: DashboardStack;
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    ({ stack, session } = suite);
    page = await session.page();
  });

  it("creates the workshop job through the form and watches São Paulo's LEDs go blue, then green and °C", async () => {
    // The fleet before: every device online, the other cities as fleet.yaml starts them.
    await page.goto(`${stack.http}/`);
    await page.locator('[data-testid="fleet-page"]').waitFor({ timeout: 15_000 });
    let online = '';
    await until(
      'every device online',
      async () => ((online = (await textOf(page, '[data-testid="online-count"]')) ?? '') === `${FLEET_SIZE} / ${FLEET_SIZE} online` ? true : undefined),
      30_000,
      () => online,
    );
    const before = new Map<string, CityCard>();
    for (const c of DEFAULT_CITIES) {
      const card = await until(`${c.group}'s card`, () => readCity(page, c.group), 10_000);
      expect(card.leds, `${c.group} LEDs at the start`).toEqual({ red: c.count });
      expect(card.units, `${c.group} units at the start`).toEqual({ [c.unit]: c.count });
      before.set(c.group, card);
    }

    // The form only: the preset fills everything the workshop needs.
    await page.locator('[data-testid="nav-create-job"]').click();
    await page.locator('[data-testid="create-job-page"]').waitFor({ timeout: 10_000 });
    // At once, possibly before the form has listed the thing groups: the preset must still target São Paulo.
    await page.locator('select[data-testid="document-preset"]').selectOption('workshop-change-temp-unit');
    const jobId = await page.locator('input[name="jobId"]').inputValue();
    expect(jobId, 'the preset fills a job id').not.toBe('');
    const saoPaulo = page.locator('input[type=checkbox][name="targetGroup"][value="SaoPaulo"]');
    await until('the preset to target São Paulo', async () => ((await saoPaulo.count()) > 0 && (await saoPaulo.isChecked()) ? true : undefined), 10_000);
    expect(await page.locator('select[name="rolloutMode"]').inputValue()).toBe('constant');
    expect(await page.locator('input[name="jobExecutionsRolloutConfig.maximumPerMinute"]').inputValue()).toBe('1');
    await page.locator('[data-testid="create-job-submit"]').click();

    await page.locator('[data-testid="job-page"]').waitFor({ timeout: 15_000 });
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/jobs/${jobId}`);
    await screenshot(page, 'workshop-1-job-created');

    // What the form sent, read back through the AWS API (DescribeJob).
    const { job } = await getJson<DescribedJob>(stack, `/jobs/${encodeURIComponent(jobId)}`);
    expect(job.targetSelection).toBe('CONTINUOUS');
    expect(job.targets).toEqual([expect.stringMatching(/:thinggroup\/SaoPaulo$/)]);
    expect(job.jobExecutionsRolloutConfig?.maximumPerMinute).toBe(1);

    // Watch the rollout on the fleet page.
    await page.locator('[data-testid="nav-fleet"]').click();
    await page.locator('[data-testid="fleet-page"]').waitFor({ timeout: 10_000 });
    let sp: CityCard | undefined;
    let midShot = false;
    let deviceChecked = false;
    await until(
      'all 60 São Paulo LEDs green and in °C',
      async () => {
        sp = await readCity(page, SAO_PAULO.group);
        if (!sp) return undefined;
        const green = sp.leds.green ?? 0;
        const blue = sp.leds.blue ?? 0;
        if (!midShot && ((blue > 0 && green > 0) || green >= SAO_PAULO.count / 2)) {
          midShot = true;
          await screenshot(page, 'workshop-2-mid-rollout');
        }
        if (!deviceChecked && green >= SAO_PAULO.count / 2) {
          deviceChecked = true;
          await checkADevicePage(jobId);
        }
        return green === SAO_PAULO.count && sp.units.celsius === SAO_PAULO.count ? sp : undefined;
      },
      ROLLOUT_DEADLINE_MS,
      () => JSON.stringify(sp),
      100,
    );
    await screenshot(page, 'workshop-4-done');

    const seen = await ledHistory(page, SAO_PAULO.group);
    expect(
      seen.some((c) => (c.blue ?? 0) > 0),
      `São Paulo's card showed a blue LED at some point; LED mixes seen: ${JSON.stringify(seen)}`,
    ).toBe(true);
    for (const c of OTHERS) {
      const now = await readCity(page, c.group);
      expect(now?.leds, `${c.group} LEDs unchanged`).toEqual(before.get(c.group)?.leds);
      expect(now?.units, `${c.group} units unchanged`).toEqual(before.get(c.group)?.units);
    }

    // A few tiles, as a reader sees them: the colour in words and temperatures in °C.
    await page.locator('select[data-testid="filter-city"]').selectOption(SAO_PAULO.group);
    const tiles = page.locator('[data-testid="device"]');
    let tileGroups = '';
    await until(
      'only São Paulo tiles',
      async () => {
        const groups: (string | null)[] = [];
        for (let i = 0; i < (await tiles.count()); i++) groups.push(await tiles.nth(i).getAttribute('data-group'));
        tileGroups = groups.join(',');
        return groups.length > 0 && groups.every((g) => g === SAO_PAULO.group) ? true : undefined;
      },
      5_000,
      () => tileGroups,
    );
    for (let i = 0; i < Math.min(await tiles.count(), 6); i++) {
      const tile = tiles.nth(i);
      const thing = await tile.getAttribute('data-thing');
      expect(await tile.getAttribute('data-led'), `${thing} data-led`).toBe('green');
      expect(await tile.getAttribute('data-temp-unit'), `${thing} data-temp-unit`).toBe('celsius');
      expect(await tile.textContent(), `${thing} says its colour in words`).toMatch(/green/i);
      expect(((await tile.locator('[data-testid="device-temp"]').textContent()) ?? '').trim(), `${thing} temperature`).toMatch(/^-?\d+(\.\d+)? °C$/);
    }
    await screenshot(page, 'workshop-5-sao-paulo-tiles');

    // The job page at the end, reached through the jobs list.
    await page.locator('[data-testid="nav-jobs"]').click();
    await page.locator('[data-testid="jobs-page"]').waitFor({ timeout: 10_000 });
    const row = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('[data-testid="job-status"]').textContent()).toMatch(/in.progress/i);
    await screenshot(page, 'workshop-6-jobs-list');
    // The row's link if it has one, else the row itself.
    const link = row.locator('a[href*="#/jobs/"]');
    await ((await link.count()) > 0 ? link.first() : row).click();
    await page.locator('[data-testid="job-page"]').waitFor({ timeout: 10_000 });
    const counts = page.locator('[data-testid="job-counts"]');
    let countsSeen = '';
    const final = await until(
      'the job page counting 60 succeeded',
      async () => {
        if ((await counts.count()) === 0) return undefined;
        const c = counts.first();
        const read = { succeeded: await c.getAttribute('data-succeeded'), inProgress: await c.getAttribute('data-in-progress'), queued: await c.getAttribute('data-queued'), failed: await c.getAttribute('data-failed') };
        countsSeen = JSON.stringify(read);
        return read.succeeded === String(SAO_PAULO.count) ? read : undefined;
      },
      10_000,
      () => countsSeen,
    );
    expect(final).toEqual({ succeeded: String(SAO_PAULO.count), inProgress: '0', queued: '0', failed: '0' });
    expect(await page.locator('[data-testid="job-chart"]').count(), 'the job chart').toBeGreaterThan(0);
    await screenshot(page, 'workshop-7-job-page');
  });

  /** In a second tab, mid-rollout: a São Paulo device the job has finished shows it in its shadow and executions. */
  async function checkADevicePage(jobId: string): Promise<void> {
    const done = await getJson<ExecutionsForJob>(stack, `/jobs/${encodeURIComponent(jobId)}/things?status=SUCCEEDED`);
    const arn = done.executionSummaries[0]?.thingArn;
    expect(arn, 'a succeeded execution mid-rollout').toBeDefined();
    const thing = String(arn?.split('/')[1]);
    const tab = await session.page();
    await tab.goto(`${stack.http}/#/devices/${encodeURIComponent(thing)}`);
    await tab.locator(`[data-testid="device-page"][data-thing="${thing}"]`).waitFor({ timeout: 10_000 });
    let shown = '';
    await until(
      `${thing}'s page showing the job's outcome`,
      async () => {
        const reported = (await textOf(tab, '[data-testid="shadow-reported"]')) ?? '';
        const executions = (await textOf(tab, '[data-testid="device-executions"]')) ?? '';
        shown = `reported: ${reported} | executions: ${executions}`;
        return reported.includes('green') && reported.includes('celsius') && executions.includes(jobId) && /succeeded/i.test(executions) ? true : undefined;
      },
      10_000,
      () => shown,
    );
    await screenshot(tab, 'workshop-3-device-page');
    await tab.close();
  }
});
