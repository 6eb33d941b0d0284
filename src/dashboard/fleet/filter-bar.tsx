/** Filters by city, LED colour, job status and presence, and search by thing name. */
import type { CitySummary } from './city-summary.js';
import type { FleetFilters } from './fleet-filters.js';
import { isFiltered, NO_FILTERS } from './fleet-filters.js';

const JOB_STATUSES = ['QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'CANCELED', 'REMOVED'];

export function FilterBar(p: { filters: FleetFilters; onChange: (f: FleetFilters) => void; cities: CitySummary[]; leds: string[]; shown: number; total: number }) {
  const set = (patch: Partial<FleetFilters>): void => p.onChange({ ...p.filters, ...patch });
  const value = (e: Event): string => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
  return (
    <div class="filter-bar">
      <input type="search" placeholder="Search thing name" value={p.filters.search} onInput={(e) => set({ search: value(e) })} data-testid="search" aria-label="Search by thing name" />
      <select value={p.filters.group} onChange={(e) => set({ group: value(e) })} data-testid="filter-city" aria-label="City">
        <option value="">Every city</option>
        {p.cities.map((c) => (
          <option key={c.group} value={c.group}>
            {c.city}
          </option>
        ))}
      </select>
      <select value={p.filters.led} onChange={(e) => set({ led: value(e) })} data-testid="filter-led" aria-label="LED colour">
        <option value="">Any LED</option>
        {p.leds.map((l) => (
          <option key={l} value={l}>
            LED {l}
          </option>
        ))}
      </select>
      <select value={p.filters.jobStatus} onChange={(e) => set({ jobStatus: value(e) })} data-testid="filter-job-status" aria-label="Job status">
        <option value="">Any job status</option>
        <option value="none">No job</option>
        {JOB_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <select value={p.filters.online} onChange={(e) => set({ online: value(e) })} data-testid="filter-online" aria-label="Online">
        <option value="">Online and offline</option>
        <option value="online">Online</option>
        <option value="offline">Offline</option>
      </select>
      {isFiltered(p.filters) && (
        <button type="button" class="btn btn-small" onClick={() => p.onChange(NO_FILTERS)}>
          Clear
        </button>
      )}
      <span class="muted small" data-testid="shown-count">
        {p.shown === p.total ? `${p.total} devices` : `${p.shown} of ${p.total} devices`}
      </span>
    </div>
  );
}
