/**
 * The thermostat's user-facing settings and how desired shadow values map onto them. Pure.
 */
import { LED_COLORS, POWER_STATES, SETPOINT_RANGE, TEMP_UNITS, type LedColor, type PowerState, type TempUnit } from '../config/schema.js';

export interface Settings {
  ledColor: LedColor;
  tempUnit: TempUnit;
  /** °C. */
  setpoint: number;
  power: PowerState;
}

/** What the device reports to its classic shadow. */
export interface ReportedState extends Settings {
  firmwareVersion: string;
}

export const SETTING_KEYS = ['ledColor', 'tempUnit', 'setpoint', 'power'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export interface DesiredOutcome {
  settings: Settings;
  /** Keys whose value was taken, with the value now in force. */
  applied: Partial<Settings>;
  /** Human-readable reasons for values left in the delta. */
  refused: string[];
}

const isOneOf = <T extends string>(values: readonly T[], v: unknown): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);

/**
 * Applies whatever desired keys the device understands. Unknown keys and invalid values are
 * refused (they stay in the delta); nothing is thrown.
 */
export function applyDesired(current: Settings, desired: Readonly<Record<string, unknown>>): DesiredOutcome {
  const settings: Settings = { ...current };
  const applied: Partial<Settings> = {};
  const refused: string[] = [];
  for (const [key, value] of Object.entries(desired)) {
    switch (key) {
      case 'ledColor':
        if (isOneOf(LED_COLORS, value)) settings.ledColor = applied.ledColor = value;
        else refused.push(`ledColor ${JSON.stringify(value)}: expected one of ${LED_COLORS.join(', ')}`);
        break;
      case 'tempUnit':
        if (isOneOf(TEMP_UNITS, value)) settings.tempUnit = applied.tempUnit = value;
        else refused.push(`tempUnit ${JSON.stringify(value)}: expected one of ${TEMP_UNITS.join(', ')}`);
        break;
      case 'power':
        if (isOneOf(POWER_STATES, value)) settings.power = applied.power = value;
        else refused.push(`power ${JSON.stringify(value)}: expected one of ${POWER_STATES.join(', ')}`);
        break;
      case 'setpoint':
        if (typeof value === 'number' && value >= SETPOINT_RANGE.min && value <= SETPOINT_RANGE.max) settings.setpoint = applied.setpoint = value;
        else refused.push(`setpoint ${JSON.stringify(value)}: expected a number of °C from ${SETPOINT_RANGE.min} to ${SETPOINT_RANGE.max}`);
        break;
      default:
        refused.push(`${key}: not a setting this thermostat has (it has ${SETTING_KEYS.join(', ')})`);
    }
  }
  return { settings, applied, refused };
}

/** Reported values from an earlier run are the device's "flash memory": valid ones are restored. */
export function restoreReported(current: Settings, reported: Readonly<Record<string, unknown>>): Settings {
  const known: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) if (k in reported) known[k] = reported[k];
  return applyDesired(current, known).settings;
}
