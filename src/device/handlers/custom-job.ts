/**
 * `{"operation":"customJob","otherInfo":"someValue"}`: the operation of the AWS IoT device SDK's
 * jobs sample, which only prints the job and succeeds. So does this thermostat (at debug level:
 * a fleet of them would flood the log at info).
 */
import { detailValue, type JobHandler, type StatusDetails } from './handler.js';

export const customJob: JobHandler = {
  name: 'custom-job',
  operations: ['customJob'],

  matchesShape: () => false,

  check: () => undefined,

  step(host, run) {
    host.ctx.log.debug({ thing: host.thingName, jobId: run.jobId, document: run.document }, 'customJob: nothing to do but log it');
    const details: StatusDetails = { operation: 'customJob' };
    if (run.document.otherInfo !== undefined) details.otherInfo = detailValue(typeof run.document.otherInfo === 'string' ? run.document.otherInfo : JSON.stringify(run.document.otherInfo));
    return { status: 'SUCCEEDED', statusDetails: details };
  },
};
