/**
 * `/_acfleet/faults`: the fleet's failure injection, read and changed at run time (issue 6 §2).
 * Fleet processes poll GET and swap their devices' faults when the answer changes.
 */
import type { FastifyInstance } from 'fastify';
import type { FaultSettings } from '../cloud/fault-settings.js';

/** The error body of a refused change: one line per problem, each naming its path in the body. */
export interface FaultsError {
  message: string;
  issues: string[];
}

export function registerFaults(app: FastifyInstance, faults: FaultSettings): void {
  app.get('/_acfleet/faults', async () => faults.document());
  app.put('/_acfleet/faults', async (req, reply) => {
    const changed = faults.change(req.body ?? {});
    if (changed.ok) return faults.document();
    const body: FaultsError = { message: `the faults were not changed: ${changed.error.join('; ')}`, issues: changed.error };
    return reply.code(400).send(body);
  });
}
