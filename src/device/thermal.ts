/**
 * Room physics, pure: the next state is a function of the previous state, the settings and the
 * simulated time only. Temperatures are °C internally.
 */
import type { ClimateConfig } from '../config/schema.js';
import { hashInts, unit } from '../core/random.js';

export interface ThermalState {
  indoorC: number;
  humidity: number;
  /** Simulated epoch ms of this state. */
  atMs: number;
}

export interface ThermalSettings {
  power: 'on' | 'off';
  setpointC: number;
}

export interface Site {
  climate: ClimateConfig;
  lon: number;
}

const HOUR = 3_600_000;
/** Time constants: an A/C pulls a room to its setpoint in tens of minutes; walls leak over hours. */
const TAU_COOLING_MS = 20 * 60_000;
const TAU_PASSIVE_MS = 3 * HOUR;
const TAU_HUMIDITY_MS = 45 * 60_000;
/** A running A/C dries the air toward this relative humidity. */
const CONDITIONED_HUMIDITY = 45;
/** Outdoor temperature peaks mid-afternoon, local solar time. */
const PEAK_HOUR = 15;

/** Local solar hour from longitude: 15° per hour east of Greenwich. */
export function localSolarHour(simMs: number, lon: number): number {
  const h = (simMs / HOUR + lon / 15) % 24;
  return h < 0 ? h + 24 : h;
}

export function outdoorTemperature(site: Site, simMs: number): number {
  const h = localSolarHour(simMs, site.lon);
  return site.climate.meanTemp + (site.climate.dailySwing / 2) * Math.cos((2 * Math.PI * (h - PEAK_HOUR)) / 24);
}

/** Relative humidity falls as the air warms through the day (about 2.5 %/°C). */
export function outdoorHumidity(site: Site, simMs: number): number {
  const t = outdoorTemperature(site, simMs);
  return clamp(site.climate.humidity - 2.5 * (t - site.climate.meanTemp), 5, 100);
}

export function initialThermalState(site: Site, simMs: number, deviceSeed: number): ThermalState {
  const offset = (unit(hashInts(deviceSeed, 1)) - 0.5) * 3;
  return { indoorC: outdoorTemperature(site, simMs) + offset, humidity: outdoorHumidity(site, simMs), atMs: simMs };
}

/** Advances the room to `simMs` with exponential relaxation toward the current target. */
export function stepThermal(state: ThermalState, settings: ThermalSettings, site: Site, simMs: number): ThermalState {
  const dt = Math.max(0, simMs - state.atMs);
  if (dt === 0) return state;
  const on = settings.power === 'on';
  // Evaluate the outdoor target at the interval's midpoint: accurate enough for intervals up to an hour.
  const mid = state.atMs + dt / 2;
  const targetT = on ? settings.setpointC : outdoorTemperature(site, mid);
  const targetH = on ? CONDITIONED_HUMIDITY : outdoorHumidity(site, mid);
  const kT = Math.exp(-dt / (on ? TAU_COOLING_MS : TAU_PASSIVE_MS));
  const kH = Math.exp(-dt / TAU_HUMIDITY_MS);
  return {
    indoorC: targetT + (state.indoorC - targetT) * kT,
    humidity: clamp(targetH + (state.humidity - targetH) * kH, 0, 100),
    atMs: simMs,
  };
}

/** Sensor reading: the room plus seeded noise (±0.15 °C, ±1 %), the same for the same device and time. */
export function sensorReading(state: ThermalState, deviceSeed: number): { tempC: number; humidity: number } {
  const slot = Math.floor(state.atMs / 1000);
  const nt = unit(hashInts(deviceSeed, slot, 2)) - 0.5;
  const nh = unit(hashInts(deviceSeed, slot, 3)) - 0.5;
  return { tempC: state.indoorC + nt * 0.3, humidity: clamp(state.humidity + nh * 2, 0, 100) };
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
