/**
 * Who may publish and subscribe to what: the rules of spec §9 as pure functions. The embedded
 * broker enforces them; `mosquitto-files.ts` renders the same rules for mosquitto.
 */

export type Principal =
  | { kind: 'device'; thingName: string; telemetryTopic: string | undefined }
  | { kind: 'operator'; username: string | undefined }
  /** acfleet's own cloud services: they publish the replies and events AWS IoT would. */
  | { kind: 'service' };

const THINGS = '$aws/things/';

/** Request topics a client may publish under `$aws/things/{thing}/`. */
const SHADOW_OPS = ['get', 'update', 'delete'] as const;
const JOBS_FIXED = ['get', 'start-next'] as const;
const JOBS_PER_JOB = ['get', 'update'] as const;

/**
 * True for a request topic below `$aws/things/{thing}/` (the part after the thing name):
 * shadow get/update/delete (classic or named) and the jobs API. Response and notification
 * topics (accepted, rejected, delta, documents, notify, notify-next) are the service's alone.
 */
export function isThingRequestTopic(rest: string): boolean {
  const parts = rest.split('/');
  if (parts[0] === 'shadow') {
    if (parts.length === 2) return (SHADOW_OPS as readonly string[]).includes(parts[1] as string);
    if (parts.length === 4 && parts[1] === 'name' && (parts[2] ?? '') !== '') return (SHADOW_OPS as readonly string[]).includes(parts[3] as string);
    return false;
  }
  if (parts[0] === 'jobs') {
    if (parts.length === 2) return (JOBS_FIXED as readonly string[]).includes(parts[1] as string);
    if (parts.length === 3 && (parts[1] ?? '') !== '') return (JOBS_PER_JOB as readonly string[]).includes(parts[2] as string);
    return false;
  }
  return false;
}

/** Splits `$aws/things/{thing}/{rest}`; undefined for any other topic. */
export function splitThingTopic(topic: string): { thing: string; rest: string } | undefined {
  if (!topic.startsWith(THINGS)) return undefined;
  const slash = topic.indexOf('/', THINGS.length);
  if (slash < 0) return undefined;
  return { thing: topic.slice(THINGS.length, slash), rest: topic.slice(slash + 1) };
}

export function canPublish(p: Principal, topic: string): boolean {
  if (p.kind === 'service') return true;
  if (p.kind === 'device') {
    if (p.telemetryTopic !== undefined && topic === p.telemetryTopic) return true;
    const t = splitThingTopic(topic);
    return t !== undefined && t.thing === p.thingName && isThingRequestTopic(t.rest);
  }
  // Operators act on any thing's behalf, but never forge service replies, events or $SYS.
  if (topic.startsWith('$')) {
    const t = splitThingTopic(topic);
    return t !== undefined && isThingRequestTopic(t.rest);
  }
  return true;
}

export function canSubscribe(p: Principal, filter: string): boolean {
  if (p.kind !== 'device') return true;
  if (p.telemetryTopic !== undefined && filter === p.telemetryTopic) return true;
  const own = `${THINGS}${p.thingName}/`;
  // Wildcards are fine below the device's own namespace, never above it.
  return filter.startsWith(own) && filter.length > own.length;
}
