/** The fleet at a glance: map and city cards on top, then every device, filtered. */
import { useMemo, useState } from 'preact/hooks';
import type { DeviceView } from '../../api/dashboard-types.js';
import { useFleet } from '../live-store.js';
import { CityCards } from './city-cards.js';
import { summariseCities } from './city-summary.js';
import { DeviceGrid } from './device-grid.js';
import { FilterBar } from './filter-bar.js';
import { matches, NO_FILTERS, type FleetFilters } from './fleet-filters.js';
import { WorldMap } from './world-map.js';
import './fleet.css';

/** Kept across page changes: back from a device, the same devices are shown. */
let lastFilters: FleetFilters = NO_FILTERS;

export function FleetPage() {
  const fleet = useFleet();
  const [filters, setFiltersState] = useState(lastFilters);
  const setFilters = (f: FleetFilters): void => {
    lastFilters = f;
    setFiltersState(f);
  };
  const cities = useMemo(() => summariseCities(fleet.cities, fleet.devices), [fleet.version]);
  const leds = useMemo(() => [...new Set(fleet.devices.map((d) => d.led ?? 'unknown'))].sort(), [fleet.version]);
  const sections = useMemo(() => {
    const byGroup = new Map<string, DeviceView[]>(cities.map((c) => [c.group, []]));
    for (const d of fleet.devices) if (matches(d, filters)) byGroup.get(d.group ?? '')?.push(d);
    return cities.map((c) => ({ label: c.city, devices: byGroup.get(c.group) ?? [] }));
  }, [fleet.version, filters, cities]);
  const shown = sections.reduce((n, s) => n + s.devices.length, 0);
  const selectCity = (group: string): void => setFilters({ ...filters, group });

  return (
    <div class="fleet-page" data-testid="fleet-page">
      <div class="fleet-top">
        <section class="panel map-panel">
          <WorldMap cities={cities} selected={filters.group} onSelect={selectCity} />
        </section>
        <CityCards cities={cities} selected={filters.group} onSelect={selectCity} />
      </div>
      <section class="panel devices-panel">
        <FilterBar filters={filters} onChange={setFilters} cities={cities} leds={leds} shown={shown} total={fleet.devices.length} />
        {fleet.feed === 'connecting' ? <p class="muted">Connecting to the cloud…</p> : <DeviceGrid sections={sections} />}
      </section>
    </div>
  );
}
