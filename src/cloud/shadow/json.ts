/** JSON trees as JSON.parse produces them. Shadow code treats every tree as immutable. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Device-supplied keys such as "__proto__" or "constructor" must stay plain data: a bare
// `obj[key]` would read the prototype, and a bare assignment to "__proto__" would replace it.
export function getOwn<T>(obj: { readonly [k: string]: T }, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function setOwn<T>(obj: { [k: string]: T }, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/**
 * Nesting depth: scalars 0, an object or array 1 + its deepest child. Exact up to `cap`; above
 * it the result is only guaranteed to exceed `cap`, which bounds recursion on hostile input.
 */
export function jsonDepth(value: Json, cap = Number.POSITIVE_INFINITY): number {
  if (value === null || typeof value !== 'object') return 0;
  if (cap <= 0) return 1;
  let deepest = 0;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child, cap - 1));
    if (deepest >= cap) break;
  }
  return 1 + deepest;
}

/** Structural equality; numbers compare by value, so `1` and `1.0` are equal. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i] ?? null));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k] ?? null, b[k] ?? null));
  }
  return false;
}

/**
 * What `a` holds that `b` lacks or holds differently. Objects on both sides recurse (keeping the
 * path); anything else is compared whole and copied whole from `a`. Keys only in `b` are ignored.
 * Undefined when nothing differs.
 */
export function objectDiff(a: JsonObject, b: JsonObject | undefined): JsonObject | undefined {
  const out: JsonObject = {};
  let differs = false;
  for (const key of Object.keys(a)) {
    const av = a[key] ?? null;
    const bv = b === undefined ? undefined : getOwn(b, key);
    let diff: Json | undefined;
    if (bv === undefined) diff = av;
    else if (isPlainObject(av) && isPlainObject(bv)) diff = objectDiff(av, bv);
    else if (!jsonEqual(av, bv)) diff = av;
    if (diff !== undefined) {
      setOwn(out, key, diff);
      differs = true;
    }
  }
  return differs ? out : undefined;
}

const encoder = new TextEncoder();

export const utf8Length = (text: string): number => encoder.encode(text).byteLength;
