/** Per-city figures for the cards and map markers: counts, LED mix, units, online, mean temperature. */
import type { CityView, DeviceView } from '../../api/dashboard-types.js';

export interface CitySummary {
  group: string;
  city: string;
  country: string;
  lat?: number;
  lon?: number;
  count: number;
  online: number;
  /** Devices per LED colour ('unknown' until a device has reported one). */
  leds: Record<string, number>;
  /** Devices per temperature unit. */
  units: Record<string, number>;
  /** Mean of the latest readings, in °C whatever unit each device uses; undefined before any. */
  meanTempC?: number;
}

const toCelsius = (temp: number, unit: string | undefined): number => (unit === 'fahrenheit' ? (temp - 32) / 1.8 : temp);

/** One summary per fleet.yaml city, in fleet.yaml order, then one per other group seen (API-made things: "Other"). */
export function summariseCities(cities: readonly CityView[], devices: readonly DeviceView[]): CitySummary[] {
  const byGroup = new Map<string, CitySummary & { tempSum: number; temps: number }>();
  for (const c of cities) byGroup.set(c.group, { ...c, count: 0, online: 0, leds: {}, units: {}, tempSum: 0, temps: 0 });
  for (const d of devices) {
    const key = d.group ?? '';
    let s = byGroup.get(key);
    if (!s) {
      s = { group: key, city: d.city ?? (key || 'Other'), country: '', count: 0, online: 0, leds: {}, units: {}, tempSum: 0, temps: 0 };
      byGroup.set(key, s);
    }
    s.count++;
    if (d.online) s.online++;
    const led = d.led ?? 'unknown';
    s.leds[led] = (s.leds[led] ?? 0) + 1;
    if (d.tempUnit) s.units[d.tempUnit] = (s.units[d.tempUnit] ?? 0) + 1;
    if (d.temp !== undefined) {
      s.tempSum += toCelsius(d.temp, d.tempUnit);
      s.temps++;
    }
  }
  return [...byGroup.values()].map(({ tempSum, temps, ...s }) => (temps > 0 ? { ...s, meanTempC: tempSum / temps } : s));
}

/** LED colours by count, largest first: the order bars and text list them in. */
export const ledMix = (leds: Record<string, number>): [string, number][] => Object.entries(leds).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
