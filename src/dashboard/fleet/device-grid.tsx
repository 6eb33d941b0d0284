/**
 * The devices, grouped by city, as tiles: LED colour and its name, temperature with its unit,
 * online, job status. Virtualised: only the rows in view are in the DOM.
 */
import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { DeviceView } from '../../api/dashboard-types.js';
import { href } from '../router.js';
import { formatTemp, Led, StatusBadge } from '../ui.js';
import { HEADER_HEIGHT, layoutGrid, TILE_ROW_HEIGHT, visibleRows } from './grid-layout.js';

export function DeviceGrid({ sections }: { sections: { label: string; devices: DeviceView[] }[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState({ width: 1000, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = (): void => setBox({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const layout = useMemo(() => layoutGrid(sections, box.width - 8), [sections, box.width]);
  const rows = visibleRows(layout, scrollTop, box.height);

  return (
    <div class="device-grid" ref={scroller} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)} data-testid="device-grid">
      <div style={{ height: `${layout.height}px`, position: 'relative' }}>
        {/* Keyed by slot, not by position: a scroll step patches the same elements instead of rebuilding them. */}
        {rows.map((r, slot) =>
          r.kind === 'header' ? (
            <div key={slot} class="grid-header" style={{ top: `${r.top}px`, height: `${HEADER_HEIGHT}px` }}>
              {r.label} <span class="muted small">{r.count}</span>
            </div>
          ) : (
            <div key={slot} class="grid-row" style={{ top: `${r.top}px`, height: `${TILE_ROW_HEIGHT}px`, gridTemplateColumns: `repeat(${layout.columns}, 1fr)` }}>
              {r.devices.map((d, column) => (
                <Tile key={column} device={d} />
              ))}
            </div>
          ),
        )}
      </div>
      {layout.rows.length === 0 && <p class="muted empty">No device matches these filters.</p>}
    </div>
  );
}

/** The live store keeps a device's object until it changes, so unchanged tiles skip re-rendering. */
const Tile = memo(function Tile({ device: d }: { device: DeviceView }) {
  return (
    <a
      class={d.online ? 'tile' : 'tile offline'}
      href={href.device(d.thing)}
      data-testid="device"
      data-thing={d.thing}
      data-group={d.group ?? ''}
      data-led={d.led ?? 'unknown'}
      data-temp-unit={d.tempUnit ?? ''}
      data-online={String(d.online)}
    >
      <div class="tile-top">
        <span class="tile-name">{d.thing}</span>
        <span class={d.online ? 'online-dot on' : 'online-dot'} title={d.online ? 'online' : 'offline'} />
      </div>
      <div class="tile-mid">
        <Led led={d.led} />
        <span class="tile-temp" data-testid="device-temp">
          {formatTemp(d.temp, d.tempUnit)}
        </span>
      </div>
      <div class="tile-bottom small muted">{d.job ? <StatusBadge status={d.job.status} /> : d.online ? 'online' : 'offline'}</div>
    </a>
  );
});
