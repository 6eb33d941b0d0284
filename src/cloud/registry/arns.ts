/** Where ARNs are minted: the emulator pretends to be one account in one region. */
export interface ArnScope {
  region: string;
  account: string;
}

export const thingArn = (scope: ArnScope, thingName: string): string => `arn:aws:iot:${scope.region}:${scope.account}:thing/${thingName}`;

export const thingGroupArn = (scope: ArnScope, groupName: string): string => `arn:aws:iot:${scope.region}:${scope.account}:thinggroup/${groupName}`;

export interface RegistryArn {
  kind: 'thing' | 'thinggroup';
  name: string;
}

/**
 * The resource an ARN names, by its last segment only: AWS callers (and seed 002) send ARNs with
 * empty or foreign region/account, and the emulator has one account anyway.
 */
export function parseRegistryArn(arn: string): RegistryArn | undefined {
  const m = /^arn:[^:]*:iot:[^:]*:[^:]*:(thing|thinggroup)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return { kind: m[1] as RegistryArn['kind'], name: m[2] as string };
}
