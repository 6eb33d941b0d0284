/**
 * Buttons that set the desired ledColor and tempUnit through UpdateThingShadow, as the CLI would;
 * the device hears the delta, applies it and reports back. AWS's error shows when one fails.
 */
import { useState } from 'preact/hooks';
import { call, seg, type AwsError } from '../api.js';
import { LED_COLOURS, ledColour } from '../ui.js';

/** The colours a thermostat accepts (src/config/schema.ts LED_COLORS). */
const LED_CHOICES = Object.keys(LED_COLOURS);
const UNIT_CHOICES = [
  { value: 'celsius', label: 'Celsius °C' },
  { value: 'fahrenheit', label: 'Fahrenheit °F' },
];

interface Props {
  thing: string;
  desired: { ledColor?: string | undefined; tempUnit?: string | undefined };
  reported: { ledColor?: string | undefined; tempUnit?: string | undefined };
  /** After each accepted or refused update: read the shadow again at once. */
  onUpdated: () => void;
}

export function ShadowControls({ thing, desired, reported, onUpdated }: Props) {
  const [pending, setPending] = useState<string | undefined>(undefined);
  const [error, setError] = useState<AwsError | undefined>(undefined);

  const setDesired = async (key: 'ledColor' | 'tempUnit', value: string): Promise<void> => {
    setPending(`${key}=${value}`);
    setError(undefined);
    const r = await call('POST', `/things/${seg(thing)}/shadow`, { state: { desired: { [key]: value } } });
    setPending(undefined);
    if (!r.ok) setError(r.error);
    onUpdated();
  };

  const state = (key: 'ledColor' | 'tempUnit', value: string): string => {
    if (reported[key] === value) return desired[key] === undefined || desired[key] === value ? 'current' : 'reported';
    return desired[key] === value ? 'desired' : '';
  };

  return (
    <div class="shadow-controls">
      <div class="control-row">
        <span class="control-label">Set LED</span>
        <div class="control-buttons">
          {LED_CHOICES.map((c) => (
            <button
              key={c}
              type="button"
              class={`btn choice ${state('ledColor', c)}`}
              data-testid="set-led"
              data-value={c}
              aria-pressed={(desired.ledColor ?? reported.ledColor) === c}
              disabled={pending !== undefined}
              title={`desired ledColor = "${c}"`}
              onClick={() => void setDesired('ledColor', c)}
            >
              <span class="led-dot" style={{ background: ledColour(c) }} aria-hidden="true" />
              {c}
            </button>
          ))}
        </div>
      </div>
      <div class="control-row">
        <span class="control-label">Set unit</span>
        <div class="control-buttons">
          {UNIT_CHOICES.map((u) => (
            <button
              key={u.value}
              type="button"
              class={`btn choice ${state('tempUnit', u.value)}`}
              data-testid="set-unit"
              data-value={u.value}
              aria-pressed={(desired.tempUnit ?? reported.tempUnit) === u.value}
              disabled={pending !== undefined}
              title={`desired tempUnit = "${u.value}"`}
              onClick={() => void setDesired('tempUnit', u.value)}
            >
              {u.label}
            </button>
          ))}
        </div>
        <span class="muted small control-legend">
          <span class="choice-key current" /> reported · <span class="choice-key desired" /> desired, not yet reported
        </span>
      </div>
      {pending && <p class="muted small">Sending desired {pending}…</p>}
      {error && (
        <p class="form-error" data-testid="shadow-error" role="alert">
          UpdateThingShadow failed — {error.type} ({error.status}): {error.message}
        </p>
      )}
    </div>
  );
}
