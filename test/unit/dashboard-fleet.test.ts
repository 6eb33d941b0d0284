import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CityView, DeviceView } from '../../src/api/dashboard-types.js';
import { ledMix, summariseCities } from '../../src/dashboard/fleet/city-summary.js';
import { matches, NO_FILTERS } from '../../src/dashboard/fleet/fleet-filters.js';
import { HEADER_HEIGHT, layoutGrid, TILE_MIN_WIDTH, TILE_ROW_HEIGHT, visibleRows } from '../../src/dashboard/fleet/grid-layout.js';

const cities: CityView[] = [
  { group: 'SaoPaulo', city: 'São Paulo', country: 'BR', lat: -23.5, lon: -46.6 },
  { group: 'London', city: 'London', country: 'GB', lat: 51.5, lon: -0.1 },
];

const dev = (thing: string, group: string | undefined, patch: Partial<DeviceView> = {}): DeviceView => ({ thing, group, online: true, ...patch });

describe('dashboard fleet: city summaries', () => {
  it('counts devices, LEDs, units and online per city, and averages temperatures in °C', () => {
    const devices = [
      dev('SaoPaulo-1', 'SaoPaulo', { led: 'red', tempUnit: 'fahrenheit', temp: 68 }),
      dev('SaoPaulo-2', 'SaoPaulo', { led: 'blue', tempUnit: 'celsius', temp: 22, online: false }),
      dev('SaoPaulo-3', 'SaoPaulo', { led: 'red' }),
      dev('London-1', 'London', { led: 'green', tempUnit: 'celsius', temp: 10 }),
      dev('made-by-api', undefined),
    ];
    const [sp, london, other] = summariseCities(cities, devices);
    expect(sp).toMatchObject({ group: 'SaoPaulo', count: 3, online: 2, leds: { red: 2, blue: 1 }, units: { fahrenheit: 1, celsius: 1 } });
    expect(sp?.meanTempC).toBeCloseTo(21, 6);
    expect(london).toMatchObject({ count: 1, leds: { green: 1 }, meanTempC: 10 });
    expect(other).toMatchObject({ group: '', city: 'Other', count: 1, leds: { unknown: 1 } });
    expect(other?.meanTempC).toBeUndefined();
  });

  it('keeps a city with no devices, and lists LED colours largest first', () => {
    const [sp] = summariseCities(cities, []);
    expect(sp).toMatchObject({ count: 0, online: 0, leds: {} });
    expect(ledMix({ red: 2, green: 5, blue: 2 })).toEqual([
      ['green', 5],
      ['blue', 2],
      ['red', 2],
    ]);
  });
});

describe('dashboard fleet: filters', () => {
  const d = dev('SaoPaulo-00012', 'SaoPaulo', { led: 'blue', job: { jobId: 'j', status: 'IN_PROGRESS' } });
  it('filters by city, LED, job status, presence and name', () => {
    expect(matches(d, NO_FILTERS)).toBe(true);
    expect(matches(d, { ...NO_FILTERS, group: 'London' })).toBe(false);
    expect(matches(d, { ...NO_FILTERS, led: 'blue', group: 'SaoPaulo' })).toBe(true);
    expect(matches(d, { ...NO_FILTERS, jobStatus: 'IN_PROGRESS' })).toBe(true);
    expect(matches(d, { ...NO_FILTERS, jobStatus: 'SUCCEEDED' })).toBe(false);
    expect(matches(d, { ...NO_FILTERS, jobStatus: 'none' })).toBe(false);
    expect(matches(dev('x', 'SaoPaulo'), { ...NO_FILTERS, jobStatus: 'none' })).toBe(true);
    expect(matches(d, { ...NO_FILTERS, online: 'offline' })).toBe(false);
    expect(matches(d, { ...NO_FILTERS, search: ' paulo-0001 ' })).toBe(true);
    expect(matches(d, { ...NO_FILTERS, search: 'tokyo' })).toBe(false);
    expect(matches(dev('x', 'SaoPaulo'), { ...NO_FILTERS, led: 'unknown' })).toBe(true);
  });
});

describe('dashboard fleet: the virtualised grid', () => {
  const many = (n: number, group: string): DeviceView[] => Array.from({ length: n }, (_, i) => dev(`${group}-${i}`, group));

  it('lays out a header per non-empty city and rows of as many tiles as fit', () => {
    const layout = layoutGrid(
      [
        { label: 'São Paulo', devices: many(13, 'SaoPaulo') },
        { label: 'Empty', devices: [] },
        { label: 'London', devices: many(2, 'London') },
      ],
      TILE_MIN_WIDTH * 6 + 5,
    );
    expect(layout.columns).toBe(6);
    expect(layout.rows.map((r) => (r.kind === 'header' ? r.label : r.devices.length))).toEqual(['São Paulo', 6, 6, 1, 'London', 2]);
    expect(layout.height).toBe(2 * HEADER_HEIGHT + 4 * TILE_ROW_HEIGHT);
  });

  it('renders only the rows in view, and every device in some row of the whole layout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 100, max: 3000 }), fc.integer({ min: 0, max: 400_000 }), (n, width, scrollTop) => {
        const layout = layoutGrid([{ label: 'A', devices: many(n, 'A') }], width);
        const placed = layout.rows.reduce((k, r) => k + (r.kind === 'tiles' ? r.devices.length : 0), 0);
        expect(placed).toBe(n);
        const shown = visibleRows(layout, scrollTop, 800, 0);
        const rowHeight = (r: (typeof shown)[number]): number => (r.kind === 'header' ? HEADER_HEIGHT : TILE_ROW_HEIGHT);
        for (const r of shown) expect(r.top + rowHeight(r) > scrollTop && r.top <= scrollTop + 800).toBe(true);
        const expected = layout.rows.filter((r) => r.top + rowHeight(r) > scrollTop && r.top <= scrollTop + 800);
        expect(shown).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
