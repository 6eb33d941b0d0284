/** Shadow topic names (spec §8.1). The classic shadow has the name ''. */
export type ShadowOp = 'get' | 'update' | 'delete';

export interface ShadowRequestTopic {
  thing: string;
  shadowName: string;
  op: ShadowOp;
}

const OPS: readonly string[] = ['get', 'update', 'delete'];

export const shadowPrefix = (thing: string, shadowName: string): string =>
  shadowName === '' ? `$aws/things/${thing}/shadow` : `$aws/things/${thing}/shadow/name/${shadowName}`;

/** The request filters the service subscribes to: classic and named. */
export const SHADOW_REQUEST_FILTERS = OPS.flatMap((op) => [`$aws/things/+/shadow/${op}`, `$aws/things/+/shadow/name/+/${op}`]);

export function parseShadowTopic(topic: string): ShadowRequestTopic | undefined {
  const p = topic.split('/');
  if (p[0] !== '$aws' || p[1] !== 'things' || p[3] !== 'shadow') return undefined;
  const thing = p[2] ?? '';
  if (p.length === 5 && OPS.includes(p[4] as string)) return { thing, shadowName: '', op: p[4] as ShadowOp };
  if (p.length === 7 && p[4] === 'name' && OPS.includes(p[6] as string)) return { thing, shadowName: p[5] ?? '', op: p[6] as ShadowOp };
  return undefined;
}

export const THING_NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;
export const SHADOW_NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,64}$/;
