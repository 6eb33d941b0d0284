/**
 * `{"operation":"factoryReset"}`: erases what the device was given (settings back to the
 * factory's, files, packages and services gone), reboots, and finishes after it is back. Nothing
 * to undo if canceled: an erase is not taken back.
 */
import { WIPED_STORAGE_REPORT } from '../storage.js';
import { stepTimeoutFor, type JobHandler } from './handler.js';
import { rebootStep } from './reboot.js';

export const factoryReset: JobHandler = {
  name: 'factory-reset',
  operations: ['factoryReset', 'factory-reset'],

  matchesShape: () => false,

  check: () => undefined,

  step(host, run) {
    switch (run.details.step) {
      case 'rebooting':
        return { status: 'SUCCEEDED', statusDetails: { step: 'reset' } };
      case 'erasing':
        // Idempotent: erasing twice (a rerun after a reconnect) leaves the same device.
        host.settings = host.factorySettings;
        host.storage = undefined;
        host.shadow.report({ ...host.settings, firmwareVersion: host.firmwareVersion, ...WIPED_STORAGE_REPORT });
        return rebootStep(host, {});
      default:
        return { status: 'IN_PROGRESS', statusDetails: { step: 'erasing' }, waitMs: run.stepMs, stepTimeoutInMinutes: stepTimeoutFor(run.stepMs) };
    }
  },
};
