import { validateConfig } from '../../src/config/load.js';
import type { FleetConfig } from '../../src/config/schema.js';

/** A small two-city fleet: Alpha reports °F, Beta °C. */
export function testFleetConfig(overrides: { alpha?: number; beta?: number; speed?: number; interval?: string | undefined } = {}): FleetConfig {
  return validateConfig({
    seed: 7,
    speed: overrides.speed ?? 10,
    broker: { type: 'embedded', host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    telemetry: { interval: overrides.interval ?? '10s' },
    groups: [
      {
        name: 'Alpha',
        count: overrides.alpha ?? 30,
        location: { city: 'São Paulo', country: 'BR', lat: -23.55, lon: -46.63, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } },
        initialState: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' },
      },
      {
        name: 'Beta',
        count: overrides.beta ?? 20,
        location: { city: 'London', country: 'GB', lat: 51.5, lon: -0.12, climate: { meanTemp: 10, dailySwing: 6, humidity: 80 } },
        initialState: { ledColor: 'red', tempUnit: 'celsius', setpoint: 21, power: 'off' },
      },
    ],
  });
}
