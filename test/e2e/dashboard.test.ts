/**
 * Issue 7, browser, before any job runs (one fleet for all, to keep the suite short): the dashboard
 * at `/` on the repo's fleet.yaml shows every city with its device count, all 200 devices online, a
 * map marker per city, and device tiles that open device pages; the create-job form shows AWS's
 * validation error next to the field it names, and creates nothing, for a rollout rate outside 1..1000;
 * a device page's buttons set the desired LED and unit, which the device applies.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { announceChromiumSkip, hasChromium, screenshot, type Session } from './helpers/browser.js';
import { fieldError, openForm, waitForFieldError } from './helpers/create-job-form.js';
import { DEFAULT_CITIES, readCity, textOf, until, type CityCard } from './helpers/fleet-page.js';
import { FLEET_SIZE, getJson, type DashboardStack } from './helpers/stack.js';
import { dashboardSuite } from './helpers/suite.js';

announceChromiumSkip('the fleet page and the create-job form');

const RATE_FIELD = 'jobExecutionsRolloutConfig.maximumPerMinute';

describe.skipIf(!hasChromium)('the dashboard in a browser, before any job', () => {
  // The form tests provoke CreateJob validation errors.
  const suite = dashboardSuite({ createJob400s: true });
  let stack: DashboardStack;
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    ({ stack, session } = suite);
    page = await session.page();
  });

  it('shows every city with its device count, all 200 devices online and a map marker per city', async () => {
    await page.goto(`${stack.http}/`);
    await page.locator('[data-testid="fleet-page"]').waitFor({ timeout: 15_000 });
    await until('the live feed', async () => ((await textOf(page, '[data-testid="feed-state"]')) === 'live' ? true : undefined), 15_000);

    let online = '';
    await until(
      `"${FLEET_SIZE} / ${FLEET_SIZE} online" in the header`,
      async () => ((online = (await textOf(page, '[data-testid="online-count"]')) ?? '') === `${FLEET_SIZE} / ${FLEET_SIZE} online` ? true : undefined),
      30_000,
      () => online,
    );

    for (const c of DEFAULT_CITIES) {
      let card: CityCard | undefined;
      card = await until(
        `${c.group}'s card with ${c.count} devices, all online`,
        async () => ((card = await readCity(page, c.group)) && card.online === c.count ? card : undefined),
        15_000,
        () => JSON.stringify(card),
      );
      expect(card.countText, `${c.group} city-count`).toBe(String(c.count));
      expect(card.count, `${c.group} data-count`).toBe(c.count);
      expect(card.text, `${c.group} card names its city`).toContain(c.city);
      // fleet.yaml starts every LED red; São Paulo and New York in °F, the rest in °C.
      expect(card.leds, `${c.group} LEDs`).toEqual({ red: c.count });
      expect(card.units, `${c.group} units`).toEqual({ [c.unit]: c.count });
    }
    expect(await page.locator('[data-testid="city"]').count(), 'one card per city').toBe(DEFAULT_CITIES.length);

    const map = page.locator('[data-testid="world-map"]');
    await map.waitFor({ timeout: 5_000 });
    for (const c of DEFAULT_CITIES) expect(await map.locator(`[data-testid="map-marker"][data-group="${c.group}"]`).count(), `${c.group}'s map marker`).toBe(1);
    expect(await map.locator('[data-testid="map-marker"]').count(), 'markers on the map').toBe(DEFAULT_CITIES.length);

    // Tiles are virtualised: some, not all 200, are in the DOM; each shows a temperature with its unit.
    const tiles = page.locator('[data-testid="device"]');
    await tiles.first().waitFor({ timeout: 5_000 });
    const shown = await tiles.count();
    expect(shown).toBeGreaterThan(0);
    for (let i = 0; i < Math.min(shown, 5); i++) {
      const tile = tiles.nth(i);
      const unit = await tile.getAttribute('data-temp-unit');
      const temp = ((await tile.locator('[data-testid="device-temp"]').textContent()) ?? '').trim();
      expect(temp, `tile ${await tile.getAttribute('data-thing')} temperature`).toMatch(unit === 'celsius' ? /^-?\d+(\.\d+)? °C$/ : /^-?\d+(\.\d+)? °F$/);
      expect(await tile.getAttribute('data-online')).toBe('true');
      expect(await tile.getAttribute('data-led')).toBe('red');
    }

    await screenshot(page, 'fleet-overview');
  });

  it('filters by city, and a tile opens its device page', async () => {
    await page.locator('select[data-testid="filter-city"]').selectOption('Tokyo');
    const tiles = page.locator('[data-testid="device"]');
    let groups: (string | null)[] = [];
    await until(
      'only Tokyo tiles after filtering',
      async () => {
        const n = await tiles.count();
        groups = [];
        for (let i = 0; i < n; i++) groups.push(await tiles.nth(i).getAttribute('data-group'));
        return n > 0 && groups.every((g) => g === 'Tokyo') ? true : undefined;
      },
      5_000,
      () => groups.join(','),
    );
    await screenshot(page, 'fleet-filter-tokyo');

    const thing = String(await tiles.first().getAttribute('data-thing'));
    await tiles.first().click();
    const device = page.locator(`[data-testid="device-page"][data-thing="${thing}"]`);
    await device.waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).hash).toBe(`#/devices/${encodeURIComponent(thing)}`);
    let reported = '';
    await until(
      `${thing}'s reported shadow`,
      async () => ((reported = (await textOf(page, '[data-testid="shadow-reported"]')) ?? '').includes('celsius') ? true : undefined),
      10_000,
      () => reported,
    );
    expect(reported).toContain('red');
    await screenshot(page, 'device-page-tokyo');
  });

  it.each([
    { value: '0', message: 'Member must have value greater than or equal to 1' },
    { value: '1001', message: 'Member must have value less than or equal to 1000' },
  ])('maximumPerMinute $value: the server says why next to the field, and no job is created', async ({ value, message }) => {
    // A fresh tab each time: no form state carried over from the previous case.
    const page: Page = await openForm(session, stack);
    await page.locator('select[data-testid="document-preset"]').selectOption('workshop-change-temp-unit');
    const rate = page.locator(`input[name="${RATE_FIELD}"]`);
    await rate.fill(value);
    await page.locator('[data-testid="create-job-submit"]').click();

    const shown = await waitForFieldError(page, RATE_FIELD);
    expect(shown).toContain(message);
    expect(await fieldError(page, RATE_FIELD).first().isVisible()).toBe(true);
    // Still on the form, with the value the user typed.
    expect(await page.locator('[data-testid="create-job-page"]').count()).toBe(1);
    expect(await rate.inputValue()).toBe(value);
    await screenshot(page, `create-job-field-error-${value}`);

    // ListJobs: nothing was created.
    expect((await getJson<{ jobs: unknown[] }>(stack, '/jobs')).jobs).toEqual([]);
    await page.close();
  });

  it("a device page's buttons set the desired LED and unit; the device applies them and the fleet page counts it", async () => {
    const thing = 'Sydney-00003';
    await page.goto(`${stack.http}/#/devices/${thing}`);
    await page.locator(`[data-testid="device-page"][data-thing="${thing}"]`).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="set-led"][data-value="purple"]').click();
    await page.locator('[data-testid="set-unit"][data-value="fahrenheit"]').click();
    let shown = '';
    await until(
      `${thing} reporting purple and fahrenheit, with no delta left`,
      async () => {
        const desired = (await textOf(page, '[data-testid="shadow-desired"]')) ?? '';
        const reported = (await textOf(page, '[data-testid="shadow-reported"]')) ?? '';
        const delta = ((await textOf(page, '[data-testid="shadow-delta"]')) ?? '').replace(/\s+/g, '');
        shown = `desired ${desired} | reported ${reported} | delta ${delta}`;
        const wanted = (json: string): boolean => /"ledColor":\s*"purple"/.test(json) && /"tempUnit":\s*"fahrenheit"/.test(json);
        return wanted(desired) && wanted(reported) && delta.startsWith('{}') ? true : undefined;
      },
      15_000,
      () => shown,
    );
    await screenshot(page, 'device-page-set-led');

    await page.locator('[data-testid="nav-fleet"]').click();
    let card: CityCard | undefined;
    await until(
      "Sydney's card counting the purple °F device",
      async () => ((card = await readCity(page, 'Sydney')) && card.leds.purple === 1 && card.units.fahrenheit === 1 ? true : undefined),
      10_000,
      () => JSON.stringify(card),
    );
    expect(card?.leds).toEqual({ red: 29, purple: 1 });
    expect(card?.units).toEqual({ celsius: 29, fahrenheit: 1 });
  });
});
