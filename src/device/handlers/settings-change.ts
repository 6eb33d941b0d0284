/**
 * The workshop's job (spec §11, seed 000): `{"tempUnit":"celsius","ledColor":"green"}`. The LED
 * turns blue while the job runs, then the new settings apply and are reported to the shadow.
 */
import { SETTING_KEYS, applyDesired, type Settings } from '../settings.js';
import { detailValue, type JobDocument, type JobHandler, type JobHost, type JobRun, type StatusDetails, type StepOutcome } from './handler.js';

/** Only for checking documents: applyDesired needs some current settings to apply onto. */
const PROBE: Settings = { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' };

/** The settings a document asks for; keys that are not settings (operation, comments…) are ignored. */
function requested(doc: JobDocument): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) if (k in doc) out[k] = doc[k];
  return out;
}

export const settingsChange: JobHandler = {
  name: 'settings-change',
  operations: ['settings-change', 'settings', 'changeSettings'],

  matchesShape: (doc) => 'tempUnit' in doc || 'ledColor' in doc,

  check(doc) {
    const wanted = requested(doc);
    if (Object.keys(wanted).length === 0) return `no setting to change: expected one or more of ${SETTING_KEYS.join(', ')}`;
    const { refused } = applyDesired(PROBE, wanted);
    return refused.length === 0 ? undefined : detailValue(`unacceptable job document: ${refused.join('; ')}`);
  },

  step(host: JobHost, run: JobRun, n: number): StepOutcome {
    if (n === 0) {
      // Blue = "job running", as on the workshop's device.
      host.settings = { ...host.settings, ledColor: 'blue' };
      host.shadow.report({ ledColor: 'blue' });
      return { status: 'IN_PROGRESS', statusDetails: { step: 'applying' }, waitMs: run.stepMs };
    }
    const wanted = requested(run.document);
    // Without a colour of its own, the job hands the LED back as it found it.
    wanted.ledColor ??= run.ledBefore;
    const outcome = applyDesired(host.settings, wanted);
    if (outcome.refused.length > 0) {
      // check() ran first, so only a handler bug gets here; fail rather than half-apply silently.
      return { status: 'FAILED', statusDetails: { reason: detailValue(outcome.refused.join('; ')) } };
    }
    host.settings = outcome.settings;
    host.shadow.report(outcome.applied);
    const summary: StatusDetails = {};
    for (const [k, v] of Object.entries(outcome.applied)) summary[k] = String(v);
    return { status: 'SUCCEEDED', statusDetails: summary };
  },

  abandon(host, run) {
    // Taken away mid-run (canceled, removed, deleted): blue no longer means "job running", so the
    // LED goes back to what it was; nothing else had changed yet. The shadow says so either way.
    if (host.settings.ledColor === 'blue') host.settings = { ...host.settings, ledColor: run.ledBefore };
    host.shadow.report({ ledColor: host.settings.ledColor, tempUnit: host.settings.tempUnit });
  },
};
