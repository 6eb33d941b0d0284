/**
 * Picks the handler for a job document the way the AWS device SDK samples do: by its
 * `operation`, else its `jobType` (Greengrass-style agents), else by the document's shape.
 */
import { err, ok, type Result } from '../../core/result.js';
import { customJob } from './custom-job.js';
import { download } from './download.js';
import { factoryReset } from './factory-reset.js';
import { firmwareUpdate } from './firmware-update.js';
import { detailValue, type JobDocument, type JobHandler } from './handler.js';
import { managedTemplate } from './managed-template.js';
import { packageInstall } from './package-install.js';
import { reboot } from './reboot.js';
import { settingsChange } from './settings-change.js';

export type { JobDocument, JobHandler, JobHost, JobRun, Resume, StatusDetails, StepOutcome } from './handler.js';

/** Every handler, in the order shapes are tried. */
export const JOB_HANDLERS: readonly JobHandler[] = [settingsChange, packageInstall, managedTemplate, customJob, download, firmwareUpdate, reboot, factoryReset];

const byOperation = new Map<string, JobHandler>(JOB_HANDLERS.flatMap((h) => h.operations.map((op): [string, JobHandler] => [op, h])));

/** The handler for `doc`, or the reason no handler takes it (for a REJECTED update). */
export function selectHandler(doc: JobDocument): Result<JobHandler, string> {
  for (const field of ['operation', 'jobType'] as const) {
    const name = doc[field];
    if (typeof name !== 'string') continue;
    const handler = byOperation.get(name);
    return handler ? ok(handler) : err(detailValue(`this thermostat has no handler for ${field} ${JSON.stringify(name)} (it handles ${[...byOperation.keys()].join(', ')})`));
  }
  const handler = JOB_HANDLERS.find((h) => h.matchesShape(doc));
  return handler ? ok(handler) : err('this thermostat does not recognise the job document: expected tempUnit and/or ledColor, aptPackageName, the steps of an AWS managed template, or an operation it handles');
}
