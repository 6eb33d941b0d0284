/** Telemetry columns as the chart plots them: one temperature unit throughout. */
import type { TelemetrySeries } from '../../api/dashboard-device-types.js';

export interface ChartSeries {
  /** Simulated epoch seconds. */
  at: number[];
  temp: number[];
  humid: (number | null)[];
  /** The unit every temperature is in: the newest reading's. */
  unit: string | undefined;
  /** Whether some readings were in another unit (and were converted). */
  converted: boolean;
}

/**
 * A unit change mid-series (a ChangeTempUnit job) would otherwise jump the line from 72 to 22:
 * every reading is shown in the newest reading's unit.
 */
export function chartSeries(t: TelemetrySeries): ChartSeries {
  const unit = t.tempUnit.at(-1) ?? undefined;
  let converted = false;
  const temp = t.temp.map((v, i) => {
    const from = t.tempUnit[i] ?? unit;
    if (from === unit || from === undefined || unit === undefined) return v;
    converted = true;
    return Math.round((unit === 'celsius' ? (v - 32) / 1.8 : v * 1.8 + 32) * 100) / 100;
  });
  return { at: t.at, temp, humid: t.humid, unit, converted };
}
