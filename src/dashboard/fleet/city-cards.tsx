/** A card per city: device count, online, LED mix (bar and words), units, mean temperature. */
import { ledColour, unitSymbol } from '../ui.js';
import { ledMix, type CitySummary } from './city-summary.js';

export function CityCards({ cities, selected, onSelect }: { cities: CitySummary[]; selected: string; onSelect: (group: string) => void }) {
  return (
    <div class="city-cards">
      {cities.map((c) => (
        <CityCard key={c.group} city={c} selected={selected === c.group} onSelect={onSelect} />
      ))}
    </div>
  );
}

function CityCard({ city, selected, onSelect }: { city: CitySummary; selected: boolean; onSelect: (group: string) => void }) {
  const mix = ledMix(city.leds);
  const units = Object.entries(city.units).sort((a, b) => b[1] - a[1]);
  return (
    <button
      type="button"
      class={selected ? 'city-card selected' : 'city-card'}
      data-testid="city"
      data-group={city.group}
      data-count={city.count}
      data-online={city.online}
      data-led-counts={JSON.stringify(city.leds)}
      data-unit-counts={JSON.stringify(city.units)}
      aria-pressed={selected}
      title={selected ? 'Show every city' : `Show only ${city.city}`}
      onClick={() => onSelect(selected ? '' : city.group)}
    >
      <div class="city-head">
        <span class="city-name">{city.city}</span>
        <span class="muted small">{city.country}</span>
        <span class="city-count" data-testid="city-count">
          {city.count}
        </span>
      </div>
      <div class="stacked-bar" aria-hidden="true">
        {mix.map(([led, n]) => (
          <span key={led} style={{ width: `${(n / Math.max(1, city.count)) * 100}%`, background: ledColour(led) }} />
        ))}
      </div>
      <div class="city-leds small" data-testid="city-leds">
        {mix.map(([led, n]) => (
          <span key={led} class="nowrap">
            <span class="led-dot" style={{ background: ledColour(led) }} /> {led} {n}
          </span>
        ))}
      </div>
      <div class="city-foot small muted">
        <span>
          <span class={city.online > 0 ? 'online-dot on' : 'online-dot'} /> {city.online} online
        </span>
        <span data-testid="city-units">{units.map(([u, n]) => `${unitSymbol(u) || u} ${n}`).join(' · ') || '—'}</span>
        <span>{meanTemp(city)}</span>
      </div>
    </button>
  );
}

/** The mean in the unit most of the city's devices use, so a °F city reads in °F. */
function meanTemp(city: CitySummary): string {
  if (city.meanTempC === undefined) return '';
  const fahrenheit = (city.units.fahrenheit ?? 0) > (city.units.celsius ?? 0);
  return fahrenheit ? `avg ${(city.meanTempC * 1.8 + 32).toFixed(1)} °F` : `avg ${city.meanTempC.toFixed(1)} °C`;
}
