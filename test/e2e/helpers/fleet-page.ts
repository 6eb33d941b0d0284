/**
 * Reading the fleet page through its test hooks: the city summary cards' data attributes hold
 * fleet-wide counts (device tiles are virtualised, so only the visible ones are in the DOM).
 */
import type { Page } from 'playwright-core';

/** The repo's fleet.yaml as the dashboard should show it before any job runs. */
export const DEFAULT_CITIES = [
  { group: 'SaoPaulo', city: 'São Paulo', count: 60, unit: 'fahrenheit' },
  { group: 'NewYork', city: 'New York', count: 40, unit: 'fahrenheit' },
  { group: 'London', city: 'London', count: 35, unit: 'celsius' },
  { group: 'Tokyo', city: 'Tokyo', count: 35, unit: 'celsius' },
  { group: 'Sydney', city: 'Sydney', count: 30, unit: 'celsius' },
] as const;

/** Value → how many, without zero entries (a card may or may not list colours nobody has). */
export type Counts = Record<string, number>;

export interface CityCard {
  countText: string;
  count: number;
  online: number;
  leds: Counts;
  units: Counts;
  text: string;
}

export const cityCard = (page: Page, group: string) => page.locator(`[data-testid="city"][data-group="${group}"]`);

export function parseCounts(json: string | null): Counts {
  const out: Counts = {};
  if (!json) return out;
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`not a counts object: ${json}`);
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'number') throw new Error(`not a count: ${k}=${String(v)} in ${json}`);
    if (v !== 0) out[k] = v;
  }
  return out;
}

/** The card's hooks now, or undefined while it is not rendered. */
export async function readCity(page: Page, group: string): Promise<CityCard | undefined> {
  const card = cityCard(page, group);
  if ((await card.count()) === 0) return undefined;
  const first = card.first();
  const attr = (name: string): Promise<string | null> => first.getAttribute(name, { timeout: 2_000 });
  return {
    countText: ((await first.locator('[data-testid="city-count"]').first().textContent({ timeout: 2_000 })) ?? '').trim(),
    count: Number(await attr('data-count')),
    online: Number(await attr('data-online')),
    leds: parseCounts(await attr('data-led-counts')),
    units: parseCounts(await attr('data-unit-counts')),
    text: (await first.textContent({ timeout: 2_000 })) ?? '',
  };
}

/** Trimmed text of the first match, or undefined while there is none. */
export async function textOf(page: Page, selector: string): Promise<string | undefined> {
  const l = page.locator(selector);
  if ((await l.count()) === 0) return undefined;
  return ((await l.first().textContent({ timeout: 2_000 })) ?? '').trim();
}

/**
 * Polls `probe` until it returns a value; the error names what was awaited and what was last seen.
 * `lastSeen` is read only on timeout, so probes may keep a description of their latest reading.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number, lastSeen: () => string = () => '', everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${lastSeen()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Installed before the page's own scripts: records every distinct `data-led-counts` each city card
 * ever shows. A device is blue for only 5 simulated seconds (83 ms of wall time at --speed 60), so
 * polling alone could miss what a watcher saw on screen.
 */
export const LED_HISTORY_SCRIPT = `(() => {
  const history = {};
  window.__acfleetLedHistory = history;
  const record = (el) => {
    const group = el.getAttribute('data-group');
    const counts = el.getAttribute('data-led-counts');
    if (!group || !counts) return;
    const h = (history[group] = history[group] || []);
    if (h[h.length - 1] !== counts) h.push(counts);
  };
  const isCity = (n) => n.nodeType === 1 && n.getAttribute('data-testid') === 'city';
  const start = () => {
    document.querySelectorAll('[data-testid="city"]').forEach(record);
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        if (m.type === 'attributes') { if (isCity(m.target)) record(m.target); continue; }
        for (const n of m.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (isCity(n)) record(n);
          n.querySelectorAll('[data-testid="city"]').forEach(record);
        }
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-led-counts'] });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();`;

/** Every LED mix the group's card has shown since the page loaded (needs {@link LED_HISTORY_SCRIPT}). */
export async function ledHistory(page: Page, group: string): Promise<Counts[]> {
  const raw = await page.evaluate(`JSON.stringify((window.__acfleetLedHistory || {})[${JSON.stringify(group)}] || [])`);
  const list: unknown = JSON.parse(String(raw));
  if (!Array.isArray(list)) throw new Error(`LED history is not a list: ${String(raw)}`);
  return list.map((s) => parseCounts(String(s)));
}
