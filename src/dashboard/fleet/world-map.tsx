/**
 * The cities on a world map: one marker per city, a ring split by LED colour (the mix at a
 * glance) around the device count. Clicking a marker filters the fleet to that city.
 */
import { ledColour } from '../ui.js';
import { ledMix, type CitySummary } from './city-summary.js';
import { LAND_PATH, MAP_WIDTH, project } from './world-land.js';

/** Shown latitudes: 80°N to 58°S (the poles hold no cities and would waste half the height). */
const TOP = project(0, 80)[1];
const BOTTOM = project(0, -58)[1];

export function WorldMap({ cities, selected, onSelect }: { cities: CitySummary[]; selected: string; onSelect: (group: string) => void }) {
  const located = cities.filter((c) => c.lat !== undefined && c.lon !== undefined);
  const largest = Math.max(1, ...located.map((c) => c.count));
  return (
    <svg class="world-map" data-testid="world-map" viewBox={`0 ${TOP} ${MAP_WIDTH} ${BOTTOM - TOP}`} role="img" aria-label="Map of the fleet's cities">
      <rect x="0" y={TOP} width={MAP_WIDTH} height={BOTTOM - TOP} class="sea" />
      <path d={LAND_PATH} class="land" />
      {located.map((c) => (
        <Marker key={c.group} city={c} radius={9 + 13 * Math.sqrt(c.count / largest)} selected={selected === c.group} onSelect={onSelect} />
      ))}
    </svg>
  );
}

function Marker({ city, radius, selected, onSelect }: { city: CitySummary; radius: number; selected: boolean; onSelect: (group: string) => void }) {
  const [x, y] = project(city.lon ?? 0, city.lat ?? 0);
  const mix = ledMix(city.leds);
  const circumference = 2 * Math.PI * radius;
  let offset = 0;
  const label = `${city.city}: ${city.count} devices, ${mix.map(([led, n]) => `${led} ${n}`).join(', ')}`;
  return (
    <g
      class={selected ? 'marker selected' : 'marker'}
      data-testid="map-marker"
      data-group={city.group}
      data-count={city.count}
      transform={`translate(${x.toFixed(1)},${y.toFixed(1)})`}
      onClick={() => onSelect(selected ? '' : city.group)}
      role="button"
      tabIndex={0}
      aria-label={label}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onSelect(selected ? '' : city.group)}
    >
      <title>{label}</title>
      <circle r={radius + 5} class="marker-halo" />
      <circle r={radius} class="marker-core" />
      {mix.map(([led, n]) => {
        const len = (n / Math.max(1, city.count)) * circumference;
        const arc = (
          <circle
            key={led}
            r={radius}
            class="marker-arc"
            stroke={ledColour(led)}
            stroke-dasharray={`${len} ${circumference - len}`}
            stroke-dashoffset={-offset}
            transform="rotate(-90)"
          />
        );
        offset += len;
        return arc;
      })}
      <text class="marker-count" dy="0.35em">
        {city.count}
      </text>
      <text class="marker-name" y={radius + 16}>
        {city.city}
      </text>
    </g>
  );
}
