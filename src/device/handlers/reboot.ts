/**
 * `{"operation":"reboot"}`: the device tells the service it is rebooting, disconnects, comes back
 * after its boot time, and finishes the execution start-next hands back (statusDetails
 * `{"step":"rebooting"}` is how it knows the reboot is behind it).
 */
import { DEFAULT_BOOT_MS } from '../context.js';
import { stepTimeoutFor, type JobHandler, type JobHost, type StatusDetails, type StepOutcome } from './handler.js';

/** The step that announces a reboot, with `stepTimeoutInMinutes` covering the boot. */
export function rebootStep(host: JobHost, details: StatusDetails): StepOutcome {
  return { status: 'REBOOT', statusDetails: { ...details, step: 'rebooting' }, stepTimeoutInMinutes: stepTimeoutFor(host.ctx.device.bootMs ?? DEFAULT_BOOT_MS) };
}

export const reboot: JobHandler = {
  name: 'reboot',
  operations: ['reboot'],

  matchesShape: () => false,

  check: () => undefined,

  step(host, run) {
    if (run.details.step === 'rebooting') return { status: 'SUCCEEDED', statusDetails: { step: 'rebooted' } };
    return rebootStep(host, {});
  },
};
