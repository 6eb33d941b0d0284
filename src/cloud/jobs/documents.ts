/**
 * Job document rewriting (spec §7), pure: `documentParameters` substituted into an AWS managed
 * template's `${aws:iot:parameter:<key>}` tokens at CreateJob, and
 * `${aws:iot:s3-presigned-url:<S3 URL>}` placeholders replaced by signed URLs whenever a device
 * is handed the document. Both work on the document text, never a re-serialised parse, so a
 * document keeps its exact bytes (`1.0` stays `1.0`) apart from what is replaced.
 */
import { err, ok, type Result } from '../../core/result.js';
import { invalidRequest, type ControlPlaneError } from '../control-plane-error.js';
import { parseS3Url } from './document-source.js';
import type { ManagedTemplate } from './managed-templates.js';

export type DocumentParameters = Readonly<Record<string, string>>;

// ---- documentParameters -------------------------------------------------------------------------

const PARAMETER_TOKEN = /\$\{aws:iot:parameter:([a-zA-Z0-9_-]{1,128})\}/g;

const compiled = new Map<string, RegExp>();

/** A value must match the parameter's pattern as a whole, as Java's `String.matches` (AWS's) does. */
function matchesWhole(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(`^(?:${pattern})$`, 'u')));
  return re.test(value);
}

/**
 * The template's document with every parameter token replaced: given values must be declared by
 * the template and match its `regex`; every required parameter must be given; an unset optional
 * one becomes the empty string (spec §7, unverified). Values are JSON-escaped, since every token
 * sits inside a JSON string: a value holding `"` cannot break the document.
 */
export function substituteParameters(template: ManagedTemplate, params: DocumentParameters | undefined, templateArn: string = template.name): Result<string, ControlPlaneError> {
  const given = params ?? {};
  const declared = new Set(template.documentParameters.map((p) => p.key));
  // Object.keys, not `in`: a `__proto__` or `toString` key is data here, and undeclared.
  const unknown = Object.keys(given).filter((k) => !declared.has(k));
  if (unknown.length > 0) {
    return err(invalidRequest(`Document parameter${plural(unknown)} ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not defined by job template ${templateArn}`));
  }
  const missing = template.documentParameters.filter((p) => !p.optional && !Object.hasOwn(given, p.key)).map((p) => p.key);
  if (missing.length > 0) {
    return err(invalidRequest(`Missing required document parameter${plural(missing)} ${missing.join(', ')} for job template ${templateArn}`));
  }
  const values = new Map<string, string>();
  for (const p of template.documentParameters) {
    const value = Object.hasOwn(given, p.key) ? (given[p.key] as string) : '';
    if (Object.hasOwn(given, p.key) && !matchesWhole(p.regex, value)) {
      return err(invalidRequest(`Value for document parameter ${p.key} of job template ${templateArn} must match the regular expression ${p.regex}`));
    }
    values.set(p.key, value);
  }
  // One pass: a value that itself looks like a token is not substituted again. Tokens for keys
  // the template does not declare stay as they are.
  return ok(template.document.replace(PARAMETER_TOKEN, (token, key: string) => (values.has(key) ? jsonStringBody(values.get(key) as string) : token)));
}

const plural = (xs: readonly unknown[]): string => (xs.length === 1 ? '' : 's');

/** `s` escaped for the inside of a JSON string literal (quotes, backslashes, control characters). */
const jsonStringBody = (s: string): string => JSON.stringify(s).slice(1, -1);

// ---- presigned URL placeholders -----------------------------------------------------------------

/**
 * `${aws:iot:s3-presigned-url:<url>}` (seed 003) and the form the AWS developer guide now shows,
 * `${aws:iot:s3-presigned-url-v2:<url>}`; either way the key is percent-decoded (`parseS3Url`).
 */
const PRESIGNED_PLACEHOLDER = /\$\{aws:iot:s3-presigned-url(?:-v2)?:([^}]*)\}/g;

export interface S3Object {
  bucket: string;
  key: string;
}

/**
 * The object a placeholder names, or undefined (the placeholder is then left alone). The text is
 * taken as the inside of a JSON string: that decodes escapes such as `\/`, and refuses a match
 * that strays across string boundaries (an unescaped `"`), which replacing would break.
 */
function placeholderObject(text: string): S3Object | undefined {
  let url: unknown;
  try {
    url = JSON.parse(`"${text}"`);
  } catch {
    return undefined;
  }
  if (typeof url !== 'string') return undefined;
  try {
    return parseS3Url(url);
  } catch {
    // A stray `%` in the key: decodeURIComponent throws.
    return undefined;
  }
}

/** Whether the document holds a placeholder that devices would receive as a signed URL. */
export function hasPresignedPlaceholders(doc: string): boolean {
  for (const m of doc.matchAll(PRESIGNED_PLACEHOLDER)) if (placeholderObject(m[1] ?? '') !== undefined) return true;
  return false;
}

/** Every S3 object the document's placeholders name, in order (repeats kept). */
export function presignedObjects(doc: string): S3Object[] {
  const out: S3Object[] = [];
  for (const m of doc.matchAll(PRESIGNED_PLACEHOLDER)) {
    const o = placeholderObject(m[1] ?? '');
    if (o) out.push(o);
  }
  return out;
}

/**
 * The document with each placeholder replaced by `sign(bucket, key)`, JSON-escaped so that any
 * URL keeps the document valid JSON. Placeholders that name no S3 object stay as they are.
 */
export function replacePresignedPlaceholders(doc: string, sign: (bucket: string, key: string) => string): string {
  return doc.replace(PRESIGNED_PLACEHOLDER, (placeholder, text: string) => {
    const o = placeholderObject(text);
    return o ? jsonStringBody(sign(o.bucket, o.key)) : placeholder;
  });
}
