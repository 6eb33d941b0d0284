/**
 * `{"operation":"firmwareUpdate","firmwareVersion":"2.1.0","url":"…","sha256":"…"}`: downloads the
 * image and verifies it (the checksum is optional, as in download), "installs" it for a step,
 * reboots into it, and once back reports the new `firmwareVersion` to the shadow and SUCCEEDED.
 * The image goes to the other firmware slot, not the file system, so nothing is stored.
 */
import type { FetchFn } from '../context.js';
import { checkUrl, checksumOf, DOWNLOAD_TIMEOUT_MS, fetchFile } from './fetch-file.js';
import { detailValue, failed, stepTimeoutFor, type JobDocument, type JobHandler, type StepOutcome } from './handler.js';
import { rebootStep } from './reboot.js';

const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}$/;

export const firmwareUpdate: JobHandler = {
  name: 'firmware-update',
  operations: ['firmwareUpdate', 'firmware-update', 'ota'],

  matchesShape: () => false,

  check(doc) {
    if (typeof doc.firmwareVersion !== 'string' || !VERSION.test(doc.firmwareVersion)) return 'firmwareVersion must be a version such as "2.1.0"';
    const bad = checkUrl(doc.url, 'url');
    if (bad !== undefined) return bad;
    const checksum = checksumOf(doc);
    return checksum.ok ? undefined : detailValue(checksum.error);
  },

  step(host, run) {
    const target = run.document.firmwareVersion as string;
    const from = run.details.from ?? host.firmwareVersion;
    switch (run.details.step) {
      case 'rebooting':
        host.firmwareVersion = target;
        host.shadow.report({ firmwareVersion: target });
        return { status: 'SUCCEEDED', statusDetails: { firmwareVersion: target, previousVersion: from } };
      case 'installing':
        return rebootStep(host, { firmwareVersion: target, from });
      default:
        if (host.firmwareVersion === target) return { status: 'SUCCEEDED', statusDetails: { firmwareVersion: target, note: 'already installed' } };
        return downloadImage(run.document, target, from, host.ctx.fetch ?? fetch, run.stepMs);
    }
  },
};

function downloadImage(doc: JobDocument, target: string, from: string, fetchFn: FetchFn, stepMs: number): StepOutcome {
  const checksum = checksumOf(doc);
  return {
    status: 'AWAIT',
    statusDetails: { step: 'downloading', firmwareVersion: target, from },
    stepTimeoutInMinutes: stepTimeoutFor(DOWNLOAD_TIMEOUT_MS),
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
    async work(signal) {
      const image = await fetchFile(fetchFn, doc.url as string, checksum.ok ? checksum.value : undefined, signal);
      return () =>
        image.ok
          ? {
              status: 'IN_PROGRESS',
              statusDetails: { step: 'installing', firmwareVersion: target, from, bytes: String(image.value.bytes), sha256: image.value.sha256 },
              waitMs: stepMs,
              stepTimeoutInMinutes: stepTimeoutFor(stepMs),
            }
          : failed(`firmware image: ${image.error}`, { firmwareVersion: target });
    },
  };
}
