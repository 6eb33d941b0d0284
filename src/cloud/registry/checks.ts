/** Input checks for registry requests, with AWS's wording. */
import { NAME_PATTERN, REGISTRY_LIMITS, type Attributes, type RegistryError } from './model.js';

export const invalid = (message: string): RegistryError => ({ code: 'InvalidRequest', message });
export const thingNotFound = (name: string): RegistryError => ({ code: 'ResourceNotFound', message: `Thing ${name} cannot be found.` });
export const groupNotFound = (name: string): RegistryError => ({ code: 'ResourceNotFound', message: `Thing group ${name} cannot be found.` });

export function checkName(value: string, member: string): RegistryError | undefined {
  if (NAME_PATTERN.test(value)) return undefined;
  return invalid(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length between 1 and 128 and match pattern [a-zA-Z0-9:_-]+`);
}

export function checkAttributeSizes(attributes: Attributes): RegistryError | undefined {
  for (const [k, v] of Object.entries(attributes)) {
    if (k.length < 1 || k.length > REGISTRY_LIMITS.attributeNameLength) return invalid(`Attribute name '${k}' must have length between 1 and ${REGISTRY_LIMITS.attributeNameLength}`);
    if (typeof v !== 'string') return invalid(`Attribute ${k} must have a string value`);
    if (v.length > REGISTRY_LIMITS.attributeValueLength) return invalid(`Value of attribute ${k} must have length at most ${REGISTRY_LIMITS.attributeValueLength}`);
  }
  return undefined;
}

export function checkAttributeCount(count: number, thingTypeName: string | undefined): RegistryError | undefined {
  const max = thingTypeName === undefined ? REGISTRY_LIMITS.attributesWithoutType : REGISTRY_LIMITS.attributesWithType;
  if (count <= max) return undefined;
  return thingTypeName === undefined
    ? invalid(`Maximum number of attributes allowed for a thing without a thing type is ${max}`)
    : invalid(`Maximum number of attributes allowed for a thing with a thing type is ${max}`);
}

/** An empty value means "no such attribute" (AWS deletes on it), so it is never stored. */
export function normalise(attributes: Attributes | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!attributes) return out;
  for (const k of Object.keys(attributes).sort()) {
    const v = attributes[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

export function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

export function alreadyExists(kind: string, name: string, arn: string): RegistryError {
  return { code: 'ResourceAlreadyExists', message: `${kind} ${name} already exists with different attributes`, resourceId: name, resourceArn: arn };
}

export function versionConflict(name: string): RegistryError {
  return { code: 'VersionConflict', message: `The version for thing ${name} does not match the expected version.` };
}
