/**
 * Per simulated minute (or wider bucket, for long jobs): releases as bars, executions in progress,
 * succeeded, failed and timed out as steps, against the configured rate as a dashed line. Every
 * series is named in the legend and drawn differently, so colour is not the only signal.
 */
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import type { JobProgress } from '../../api/dashboard-jobs-types.js';
import { STATUS_COLOURS } from '../ui.js';
import { UPlotChart } from '../uplot-chart.js';

const HEIGHT = 280;

interface Line {
  label: string;
  values: (number | null)[];
  colour: string;
  kind: 'bars' | 'step' | 'rate';
  dash?: number[];
}

function linesOf(p: JobProgress): Line[] {
  const s = p.series;
  const lines: Line[] = [
    { label: 'released', values: s.released, colour: '#9aa6c4', kind: 'bars' },
    { label: 'in progress', values: s.inProgress, colour: STATUS_COLOURS.IN_PROGRESS, kind: 'step' },
    { label: 'succeeded', values: s.succeeded, colour: STATUS_COLOURS.SUCCEEDED, kind: 'step' },
    { label: 'failed', values: s.failed, colour: STATUS_COLOURS.FAILED, kind: 'step', dash: [6, 3] },
    { label: 'timed out', values: s.timedOut, colour: STATUS_COLOURS.TIMED_OUT, kind: 'step', dash: [2, 3] },
  ];
  // Rejections and cancels only when there are some: an abort on REJECTED must show what tripped it.
  if (s.rejected.some((n) => n > 0)) lines.push({ label: 'rejected', values: s.rejected, colour: STATUS_COLOURS.REJECTED, kind: 'step', dash: [4, 2] });
  if (s.canceled.some((n) => n > 0)) lines.push({ label: 'canceled', values: s.canceled, colour: STATUS_COLOURS.CANCELED, kind: 'step', dash: [1, 3] });
  if (s.retried.some((n) => n > 0)) lines.splice(1, 0, { label: 'retries', values: s.retried, colour: '#d6409f', kind: 'step', dash: [1, 2] });
  if (s.rate.some((r) => r !== null)) {
    lines.push({ label: p.bucketMinutes === 1 ? 'configured rate' : `configured rate × ${p.bucketMinutes}`, values: s.rate.map((r) => (r === null ? null : r * p.bucketMinutes)), colour: '#1c2024', kind: 'rate', dash: [8, 5] });
  }
  return lines;
}

/** Time ticks fall on whole minutes at least; counts on whole numbers. */
const TIME_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
const COUNT_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

/** "14:05", or "11-23 14:05" at midnight, in UTC like the header clock. */
function clockLabel(sec: number): string {
  const iso = new Date(sec * 1000).toISOString();
  const hm = iso.slice(11, 16);
  return hm === '00:00' ? `${iso.slice(5, 10)} ${hm}` : hm;
}

const stepped = uPlot.paths.stepped?.({ align: 1 });
const bars = uPlot.paths.bars?.({ size: [0.8, Infinity], align: 1 });

function seriesOf(line: Line): uPlot.Series {
  const common = { label: line.label, stroke: line.colour, value: (_u: uPlot, v: number | null) => (v === null ? '—' : String(v)) };
  if (line.kind === 'bars') return { ...common, fill: `${line.colour}99`, width: 1, paths: bars, points: { show: false } };
  return { ...common, width: 2, paths: stepped, points: { show: false }, ...(line.dash ? { dash: line.dash } : {}) };
}

function showLatest(u: uPlot): void {
  if (u.cursor.idx !== null && u.cursor.idx !== undefined) return;
  // The last x is the padding point added after the last bucket.
  const last = u.data[0].length - 2;
  if (last >= 0) u.setLegend({ idx: last });
}

export function ProgressChart({ progress }: { progress: JobProgress }) {
  const lines = useMemo(() => linesOf(progress), [progress]);
  const shape = `${progress.bucketMinutes}|${lines.map((l) => l.label).join('|')}`;
  const bucketSec = progress.bucketMinutes * 60;

  const data = useMemo<uPlot.AlignedData>(() => {
    const xs = progress.series.at.map((ms) => ms / 1000);
    // One more x, a bucket on: the last bucket's bar and step get their width.
    const last = xs[xs.length - 1];
    if (last !== undefined) xs.push(last + bucketSec);
    return [xs, ...lines.map((l) => [...l.values, l.kind === 'bars' ? null : (l.values[l.values.length - 1] ?? null)])];
  }, [progress, lines, bucketSec]);

  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      // At least ten buckets wide: a job's first minute would otherwise fill the whole chart.
      scales: { x: { time: true, range: (_u, min, max) => [min, Math.max(max, min + 10 * bucketSec)] }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
      axes: [
        { stroke: '#60646c', grid: { stroke: '#eceef2' }, ticks: { stroke: '#dfe1e6' }, incrs: TIME_STEPS, values: (_u, splits) => splits.map(clockLabel), space: 60 },
        {
          stroke: '#60646c',
          grid: { stroke: '#eceef2' },
          ticks: { stroke: '#dfe1e6' },
          label: progress.bucketMinutes === 1 ? 'executions per minute' : `executions per ${progress.bucketMinutes} minutes`,
          labelSize: 22,
          size: 48,
          incrs: COUNT_STEPS,
        },
      ],
      series: [{ label: 'time (UTC)', value: '{YYYY}-{MM}-{DD} {HH}:{mm}' }, ...lines.map(seriesOf)],
      cursor: { points: { show: false } },
      legend: { live: true },
      // Away from the cursor the legend shows the latest bucket, not dashes.
      hooks: { setData: [showLatest], setCursor: [showLatest] },
    }),
    // The options are made once per shape; new numbers arrive through `data`.
    [shape],
  );

  if (progress.series.at.length === 0) return <p class="muted" data-testid="job-chart">No rollout yet: the job has not started.</p>;
  return <UPlotChart options={options} data={data} height={HEIGHT} shape={shape} testId="job-chart" />;
}
