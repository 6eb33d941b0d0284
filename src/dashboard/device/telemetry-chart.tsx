/** The device's recent temperature and humidity against simulated time, drawn by uPlot. */
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import type { TelemetrySeries } from '../../api/dashboard-device-types.js';
import { formatTemp, formatTime, unitSymbol } from '../ui.js';
import { UPlotChart } from '../uplot-chart.js';
import { chartSeries } from './telemetry-series.js';

const HEIGHT = 220;
const TEMP_COLOUR = '#d9480f';
const HUMID_COLOUR = '#1c7ed6';

export function TelemetryChart({ telemetry }: { telemetry: TelemetrySeries }) {
  const series = chartSeries(telemetry);
  const symbol = unitSymbol(series.unit) || '°';
  // Made once per unit (its axis label); new readings are fed in place.
  const chartOptions = useMemo(() => options(symbol), [symbol]);
  const data: uPlot.AlignedData = [series.at, series.temp, series.humid];

  const last = series.at.length - 1;
  return (
    <div class="telemetry" data-testid="telemetry-chart" data-points={series.at.length}>
      <div class="telemetry-head">
        <span class="legend">
          <span>
            <span class="swatch" style={{ background: TEMP_COLOUR }} />
            temperature {series.unit ? `(${symbol})` : ''}
          </span>
          <span>
            <span class="swatch" style={{ background: HUMID_COLOUR }} />
            humidity (%)
          </span>
        </span>
        <span class="muted small">
          {series.at.length} readings
          {last >= 0 && ` · ${formatTime(series.at[0])} → ${formatTime(series.at[last]).slice(11)} UTC (simulated)`}
          {series.converted && ` · earlier readings converted to ${symbol}`}
        </span>
      </div>
      <UPlotChart options={chartOptions} data={data} height={HEIGHT} shape={symbol} class="telemetry-plot" />
      {last < 0 ? (
        <p class="muted small telemetry-empty">No telemetry heard yet: devices publish every telemetry interval while online.</p>
      ) : (
        <p class="small telemetry-latest">
          latest: <strong>{formatTemp(series.temp[last], series.unit)}</strong>, humidity <strong>{series.humid[last] ?? '—'} %</strong>
        </p>
      )}
    </div>
  );
}

function atLeastSpan(min: number, max: number, span: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, span];
  const pad = Math.max(span - (max - min), 0) / 2 + (max - min) * 0.05;
  return [Math.floor((min - pad) * 10) / 10, Math.ceil((max + pad) * 10) / 10];
}

/** HH:MM, or HH:MM:SS when the ticks are under a minute apart. */
function clockLabel(epochSec: number, step: number): string {
  const hms = formatTime(epochSec).slice(11);
  return step < 60 ? hms : hms.slice(0, 5);
}

function options(symbol: string): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    // Simulated time is shown in UTC everywhere on the dashboard.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    // At least 2 degrees tall: a sensor's ±0.1° noise should look like noise, not like weather.
    scales: { x: { time: true }, temp: { range: (_u, min, max) => atLeastSpan(min, max, 2) }, humid: { range: [0, 100] } },
    series: [
      {},
      { label: `temperature ${symbol}`, stroke: TEMP_COLOUR, width: 2, scale: 'temp', points: { show: false } },
      { label: 'humidity %', stroke: HUMID_COLOUR, width: 1.5, dash: [6, 4], scale: 'humid', points: { show: false } },
    ],
    axes: [
      // 24-hour UTC, as the header's clock: uPlot's default is the browser's 12-hour local time.
      { stroke: '#60646c', grid: { stroke: '#eceef2' }, values: (_u, splits, _axis, _space, step) => splits.map((t) => clockLabel(t, step)) },
      { scale: 'temp', label: symbol, stroke: TEMP_COLOUR, grid: { stroke: '#eceef2' }, size: 56 },
      { scale: 'humid', side: 1, label: '%', stroke: HUMID_COLOUR, grid: { show: false }, size: 48 },
    ],
  };
}
