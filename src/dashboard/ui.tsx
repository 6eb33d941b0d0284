/** Small pieces every page uses: LED colour with its name, temperatures, statuses, times. */
import type { ExecutionStatusName } from '../api/dashboard-types.js';

/** CSS colours for the LED names devices report; anything else shows grey, with its name. */
export const LED_COLOURS: Record<string, string> = {
  red: '#e5484d',
  green: '#30a46c',
  blue: '#3e63dd',
  yellow: '#f5d90a',
  orange: '#f76b15',
  purple: '#8e4ec6',
  white: '#f0f0f0',
  off: '#3a3f4b',
};

export const ledColour = (led: string | undefined): string => (led ? (LED_COLOURS[led] ?? '#8b8d98') : '#8b8d98');

export function Led({ led }: { led: string | undefined }) {
  return (
    <span class="led" data-led={led ?? 'unknown'}>
      <span class="led-dot" style={{ background: ledColour(led) }} aria-hidden="true" />
      {led ?? '—'}
    </span>
  );
}

export const unitSymbol = (unit: string | undefined): string => (unit === 'celsius' ? '°C' : unit === 'fahrenheit' ? '°F' : '');

export function formatTemp(temp: number | undefined, unit: string | undefined): string {
  return temp === undefined ? '—' : `${temp.toFixed(1)} ${unitSymbol(unit)}`.trim();
}

export const STATUS_COLOURS: Record<ExecutionStatusName, string> = {
  QUEUED: '#8b8d98',
  IN_PROGRESS: '#3e63dd',
  SUCCEEDED: '#30a46c',
  FAILED: '#e5484d',
  TIMED_OUT: '#f76b15',
  REJECTED: '#d6409f',
  REMOVED: '#6f6e77',
  CANCELED: '#b5b3ad',
};

export function StatusBadge({ status }: { status: string }) {
  const colour = STATUS_COLOURS[status as ExecutionStatusName] ?? '#8b8d98';
  return (
    <span class="badge" style={{ borderColor: colour, color: colour }} data-status={status}>
      {status}
    </span>
  );
}

/** Epoch seconds or ms → "2026-11-23 14:05:09". */
export function formatTime(epoch: number | undefined): string {
  if (epoch === undefined) return '—';
  const ms = epoch < 1e12 ? epoch * 1000 : epoch;
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
