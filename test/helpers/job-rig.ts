/**
 * Playing the jobs and shadow services to one rig thermostat (test/helpers/thermostat-rig.ts):
 * connect, answer start-next and updates, read what the device sent.
 */
import { DeviceState } from '../../src/device/lifecycle.js';
import { RIG_THING, type ThermostatRig } from './thermostat-rig.js';

export const S = `$aws/things/${RIG_THING}/shadow`;
export const P = `$aws/things/${RIG_THING}/jobs`;

export type Body = Record<string, unknown>;

/** Connects; the shadow does not exist yet. */
export function connect(r: ThermostatRig): void {
  if (r.device.state === DeviceState.Offline) r.device.start();
  r.conn.handler.onConnected();
  r.conn.deliver(`${S}/get/rejected`, { code: 404, message: 'No shadow exists' });
}

export const bodies = (r: ThermostatRig, topic: string): Body[] => r.conn.published.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as Body);

export function last(r: ThermostatRig, topic: string): Body {
  const b = bodies(r, topic).at(-1);
  if (!b) throw new Error(`nothing published on ${topic}`);
  return b;
}

export const updates = (r: ThermostatRig, jobId: string): Body[] => bodies(r, `${P}/${jobId}/update`);
export const lastUpdate = (r: ThermostatRig, jobId: string): Body => last(r, `${P}/${jobId}/update`);
export const startNexts = (r: ThermostatRig): number => r.conn.countOn(`${P}/start-next`);
export const shadowReports = (r: ThermostatRig): Body[] => bodies(r, `${S}/update`).map((b) => (b.state as { reported: Body }).reported);

/** Everything the device has reported so far, merged as the shadow service would (null deletes). */
export function reportedState(r: ThermostatRig): Body {
  const out: Body = {};
  for (const report of shadowReports(r)) merge(out, report);
  return out;
}

function merge(into: Body, patch: Body): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete into[k];
    else if (typeof v === 'object' && !Array.isArray(v)) {
      const target = typeof into[k] === 'object' && into[k] !== null && !Array.isArray(into[k]) ? (into[k] as Body) : {};
      merge(target, v as Body);
      if (Object.keys(target).length === 0) delete into[k];
      else into[k] = target;
    } else into[k] = v;
  }
}

export interface ExecutionOptions {
  versionNumber?: number;
  executionNumber?: number;
  statusDetails?: Record<string, string>;
}

export const execution = (jobId: string, jobDocument: unknown, o: ExecutionOptions = {}): Body => ({
  jobId,
  thingName: RIG_THING,
  status: 'IN_PROGRESS',
  ...(o.statusDetails ? { statusDetails: o.statusDetails } : {}),
  queuedAt: 1767225600,
  startedAt: 1767225661,
  lastUpdatedAt: 1767225661,
  versionNumber: o.versionNumber ?? 2,
  executionNumber: o.executionNumber ?? 1,
  jobDocument,
});

/** The service answers the newest start-next, with `exec` or an empty queue. */
export function answerStartNext(r: ThermostatRig, exec?: Body): void {
  const { clientToken } = last(r, `${P}/start-next`);
  r.conn.deliver(`${P}/start-next/accepted`, exec ? { execution: exec, timestamp: 1767225661, clientToken } : { timestamp: 1767225661, clientToken });
}

/** The service accepts (or rejects with `code`) the newest update of `jobId`. */
export function answerUpdate(r: ThermostatRig, jobId: string, code?: string): void {
  const { clientToken } = last(r, `${P}/${jobId}/update`);
  if (code === undefined) r.conn.deliver(`${P}/${jobId}/update/accepted`, { timestamp: 1767225700, clientToken });
  else r.conn.deliver(`${P}/${jobId}/update/rejected`, { code, message: `test: ${code}`, timestamp: 1767225700, clientToken });
}

/** Lets fetches, response bodies and the agent's continuations settle (they are promises, not timers). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
