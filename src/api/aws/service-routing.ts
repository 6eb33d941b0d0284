/**
 * One HTTP port serves three AWS services whose paths collide (`GET /things/{t}/jobs` is both
 * ListJobExecutionsForThing in `iot` and GetPendingJobExecutions in `iot-jobs-data`). Requests are
 * told apart as AWS's endpoints would be, by the SigV4 credential scope's service name (spec §3.1,
 * design §3); unsigned requests go to `iot`.
 */
import type { IncomingMessage } from 'node:http';
import type { ConstraintStrategy, HTTPVersion } from 'find-my-way';

export type AwsService = 'iot' | 'iotdata' | 'iot-jobs-data';

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;

export function awsServiceOf(req: Pick<IncomingMessage, 'headers' | 'url'>): AwsService {
  const auth = req.headers.authorization;
  let service = typeof auth === 'string' ? SCOPE.exec(auth)?.[1] : undefined;
  if (service === undefined) {
    // Presigned requests carry the scope in the query string instead.
    const q = (req.url ?? '').split('?')[1];
    const credential = q ? new URLSearchParams(q).get('X-Amz-Credential') : null;
    service = credential?.split('/')[3];
  }
  if (service === 'iotdata' || service === 'iotdevicegateway') return 'iotdata';
  if (service === 'iot-jobs-data') return 'iot-jobs-data';
  return 'iot';
}

/** A find-my-way constraint: routes declare `constraints: { awsService: 'iot' }` where paths collide. */
export const awsServiceConstraint: ConstraintStrategy<HTTPVersion.V1, string> = {
  name: 'awsService',
  mustMatchWhenDerived: false,
  storage() {
    const handlers = new Map<string, Parameters<ReturnType<ConstraintStrategy<HTTPVersion.V1, string>['storage']>['set']>[1]>();
    return {
      get: (value) => handlers.get(value) ?? null,
      set: (value, handler) => void handlers.set(value, handler),
      del: (value) => void handlers.delete(value),
      empty: () => handlers.clear(),
    };
  },
  deriveConstraint: (req) => awsServiceOf(req as IncomingMessage),
  validate(value: unknown) {
    if (value !== 'iot' && value !== 'iotdata' && value !== 'iot-jobs-data') throw new Error(`unknown AWS service ${String(value)}`);
  },
};
