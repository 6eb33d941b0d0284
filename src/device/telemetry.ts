import type { TempUnit } from '../config/schema.js';

export interface TelemetryMessage {
  temp: number;
  humid: number;
  tempUnit: TempUnit;
  thingName: string;
  location: string;
  /** Epoch seconds, simulated time. */
  timestamp: number;
}

export const round2 = (v: number): number => Math.round(v * 100) / 100;

/** The workshop device's conversion, exactly: `temp = (1.8 * temp) + 32` unless celsius. */
export const displayTemperature = (tempC: number, unit: TempUnit): number => round2(unit === 'celsius' ? tempC : 1.8 * tempC + 32);

export const celsiusFrom = (value: number, unit: TempUnit): number => (unit === 'celsius' ? value : (value - 32) / 1.8);

export function telemetryTopic(template: string, thingName: string, location: string): string {
  return template.replaceAll('{thingName}', thingName).replaceAll('{location}', location);
}

export function telemetryPayload(m: TelemetryMessage): string {
  return JSON.stringify(m);
}
