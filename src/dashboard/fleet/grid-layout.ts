/**
 * The device grid's rows: a header per city, then rows of tiles. Pure arithmetic, so the grid
 * can render only the rows in view (10,000 devices stay smooth) and tests can check it.
 */
import type { DeviceView } from '../../api/dashboard-types.js';

export const HEADER_HEIGHT = 34;
export const TILE_ROW_HEIGHT = 74;
export const TILE_MIN_WIDTH = 172;

export type GridRow = { kind: 'header'; top: number; label: string; count: number } | { kind: 'tiles'; top: number; devices: DeviceView[] };

export interface GridLayout {
  rows: GridRow[];
  height: number;
  columns: number;
}

/** `sections` in display order; each becomes a header and ⌈n / columns⌉ tile rows. */
export function layoutGrid(sections: { label: string; devices: DeviceView[] }[], width: number): GridLayout {
  const columns = Math.max(1, Math.floor(width / TILE_MIN_WIDTH));
  const rows: GridRow[] = [];
  let top = 0;
  for (const s of sections) {
    if (s.devices.length === 0) continue;
    rows.push({ kind: 'header', top, label: s.label, count: s.devices.length });
    top += HEADER_HEIGHT;
    for (let i = 0; i < s.devices.length; i += columns) {
      rows.push({ kind: 'tiles', top, devices: s.devices.slice(i, i + columns) });
      top += TILE_ROW_HEIGHT;
    }
  }
  return { rows, height: top, columns };
}

/** The rows that overlap [scrollTop − overscan, scrollTop + viewport + overscan]; rows are sorted by top. */
export function visibleRows(layout: GridLayout, scrollTop: number, viewport: number, overscan = 300): GridRow[] {
  const from = scrollTop - overscan;
  const to = scrollTop + viewport + overscan;
  const rows = layout.rows;
  // Binary search for the first row ending after `from`.
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = rows[mid];
    if (r && r.top + (r.kind === 'header' ? HEADER_HEIGHT : TILE_ROW_HEIGHT) <= from) lo = mid + 1;
    else hi = mid;
  }
  const out: GridRow[] = [];
  for (let i = lo; i < rows.length; i++) {
    const r = rows[i];
    if (!r || r.top > to) break;
    out.push(r);
  }
  return out;
}
