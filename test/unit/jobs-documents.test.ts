/**
 * Job documents (spec §7): AWS managed templates with documentParameters substituted, and
 * presigned-URL placeholders replaced by signed URLs without ever breaking the document's JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasPresignedPlaceholders, presignedObjects, replacePresignedPlaceholders, substituteParameters } from '../../src/cloud/jobs/documents.js';
import { findManagedTemplate, managedTemplateArn, MANAGED_TEMPLATES, type ManagedTemplate } from '../../src/cloud/jobs/managed-templates.js';

const template = (name: string): ManagedTemplate => {
  const t = findManagedTemplate(name);
  if (!t) throw new Error(`no managed template ${name}`);
  return t;
};

/** Every required parameter set to its example value. */
const requiredExamples = (t: ManagedTemplate): Record<string, string> => Object.fromEntries(t.documentParameters.filter((p) => !p.optional).map((p) => [p.key, p.example]));

type Step = { action: { name: string; type: string; input: Record<string, unknown>; runAsUser: string } };
const firstAction = (doc: string): Step['action'] => (JSON.parse(doc) as { steps: Step[] }).steps[0]!.action;

describe('AWS managed templates', () => {
  it('are the eight AWS publishes, at version 1.0, for LINUX, under ARNs without an account', () => {
    expect(MANAGED_TEMPLATES.map((t) => t.name).sort()).toEqual(
      ['AWS-Download-File', 'AWS-Install-Application', 'AWS-Reboot', 'AWS-Remove-Application', 'AWS-Restart-Application', 'AWS-Run-Command', 'AWS-Start-Application', 'AWS-Stop-Application'].sort(),
    );
    for (const t of MANAGED_TEMPLATES) {
      expect(t.version).toBe('1.0');
      expect(t.environments).toEqual(['LINUX']);
      expect(() => JSON.parse(t.document) as unknown).not.toThrow();
    }
    expect(managedTemplateArn({ region: 'eu-west-1' }, 'AWS-Reboot', '1.0')).toBe('arn:aws:iot:eu-west-1::jobtemplate/AWS-Reboot:1.0');
  });

  it("AWS-Download-File's document and parameters are the ones the AWS CLI guide prints", () => {
    const t = template('AWS-Download-File');
    expect(t.document).toBe(
      '{"version":"1.0","steps":[{"action":{"name":"Download-File","type":"runHandler","input":{"handler":"download-file.sh","args":["${aws:iot:parameter:downloadUrl}","${aws:iot:parameter:filePath}"],"path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}',
    );
    expect(t.documentParameters).toEqual([
      { key: 'downloadUrl', description: 'URL of file to download.', regex: '(.*?)', example: 'http://www.example.com/index.html', optional: false },
      { key: 'filePath', description: 'Path on the device where downloaded file is written.', regex: '(.*?)', example: '/path/to/file', optional: false },
      expect.objectContaining({ key: 'runAsUser', regex: '(.){0,256}', optional: true }),
      expect.objectContaining({ key: 'pathToHandler', regex: '(.){0,4096}', optional: true }),
    ]);
  });

  it.each([
    ['AWS-Download-File', 'Download-File', 'runHandler', 'download-file.sh', ['downloadUrl', 'filePath']],
    ['AWS-Install-Application', 'Install-Application', 'runHandler', 'install-packages.sh', ['packages']],
    ['AWS-Remove-Application', 'Remove-Application', 'runHandler', 'remove-packages.sh', ['packages']],
    ['AWS-Start-Application', 'Start-Application', 'runHandler', 'start-services.sh', ['services']],
    ['AWS-Stop-Application', 'Stop-Application', 'runHandler', 'stop-services.sh', ['services']],
    ['AWS-Restart-Application', 'Restart-Application', 'runHandler', 'restart-services.sh', ['services']],
    ['AWS-Reboot', 'Reboot', 'runHandler', 'reboot.sh', []],
  ])('%s: required %j substituted, unset optional parameters empty', (name, action, type, handler, requiredKeys) => {
    const t = template(name);
    expect(t.documentParameters.filter((p) => !p.optional).map((p) => p.key)).toEqual(requiredKeys);
    const params = requiredExamples(t);
    const doc = substituteParameters(t, params);
    expect(doc.ok).toBe(true);
    if (!doc.ok) return;
    expect(doc.value).not.toContain('${aws:iot:parameter:');
    const a = firstAction(doc.value);
    expect(a).toMatchObject({ name: action, type, runAsUser: '', input: { handler, path: '' } });
    if (requiredKeys.length > 0) expect(a.input.args).toEqual(requiredKeys.map((k) => params[k]));
    else expect(a.input).not.toHaveProperty('args');

    // Optional parameters given are used too.
    const withOptional = substituteParameters(t, { ...params, runAsUser: 'root', pathToHandler: '/opt/handlers' });
    expect(withOptional.ok && firstAction(withOptional.value)).toMatchObject({ runAsUser: 'root', input: { path: '/opt/handlers' } });

    for (const missing of requiredKeys) {
      const { [missing]: _dropped, ...rest } = params;
      expect(substituteParameters(t, rest, 'arn:t')).toEqual({
        ok: false,
        error: { code: 'InvalidRequest', message: `Missing required document parameter ${missing} for job template arn:t` },
      });
    }
  });

  it('AWS-Run-Command: a runCommand step whose command is the parameter, no pathToHandler', () => {
    const t = template('AWS-Run-Command');
    expect(t.documentParameters.map((p) => p.key)).toEqual(['command', 'runAsUser']);
    const doc = substituteParameters(t, { command: 'systemctl,restart,acfleet\\,agent' });
    expect(doc.ok && firstAction(doc.value)).toEqual({ name: 'Run-Command', type: 'runCommand', input: { command: 'systemctl,restart,acfleet\\,agent' }, runAsUser: '' });
    expect(substituteParameters(t, { command: 'ls', pathToHandler: '/x' })).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining('pathToHandler') } });
    expect(substituteParameters(t, undefined)).toMatchObject({ ok: false, error: { message: expect.stringContaining('command') } });
  });

  it('refuses undeclared parameters, __proto__ included', () => {
    const t = template('AWS-Reboot');
    expect(substituteParameters(t, { reason: 'maintenance' }, 'arn:r')).toEqual({
      ok: false,
      error: { code: 'InvalidRequest', message: 'Document parameter reason is not defined by job template arn:r' },
    });
    const proto = JSON.parse('{"__proto__":"x","toString":"y"}') as Record<string, string>;
    expect(substituteParameters(t, proto)).toMatchObject({ ok: false, error: { message: expect.stringContaining('__proto__, toString are not defined') } });
  });

  it("refuses a value that does not match its parameter's regex as a whole", () => {
    const t = template('AWS-Download-File');
    const base = requiredExamples(t);
    expect(substituteParameters(t, { ...base, runAsUser: 'u'.repeat(256) }).ok).toBe(true);
    expect(substituteParameters(t, { ...base, runAsUser: 'u'.repeat(257) }, 'arn:d')).toEqual({
      ok: false,
      error: { code: 'InvalidRequest', message: 'Value for document parameter runAsUser of job template arn:d must match the regular expression (.){0,256}' },
    });
    // `.` stops at line ends, as in Java: a two-line path does not match (.*?).
    expect(substituteParameters(t, { ...base, filePath: '/tmp/a\n/tmp/b' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('filePath') } });
    // Code points, not UTF-16 units: 256 emoji are 256 characters.
    expect(substituteParameters(t, { ...base, runAsUser: '😀'.repeat(256) }).ok).toBe(true);
  });

  it('JSON-escapes values and substitutes once: quotes cannot break the document, tokens in values stay', () => {
    const t = template('AWS-Download-File');
    const doc = substituteParameters(t, { downloadUrl: 'https://example.com/"quoted"\\path', filePath: '${aws:iot:parameter:runAsUser}' });
    expect(doc.ok).toBe(true);
    if (!doc.ok) return;
    expect(firstAction(doc.value).input.args).toEqual(['https://example.com/"quoted"\\path', '${aws:iot:parameter:runAsUser}']);
  });
});

describe('presigned URL placeholders', () => {
  const sign = (bucket: string, key: string): string => `http://127.0.0.1:8080/_acfleet/files/${bucket}/${key}?X-Amz-Signature=abc`;

  it.each([
    ['virtual-hosted', 'https://fw-bucket.s3.amazonaws.com/releases/v2.bin'],
    ['virtual-hosted, regional', 'https://fw-bucket.s3.us-west-2.amazonaws.com/releases/v2.bin'],
    ['path style', 'https://s3.amazonaws.com/fw-bucket/releases/v2.bin'],
    ['path style, regional', 'https://s3.us-west-2.amazonaws.com/fw-bucket/releases/v2.bin'],
  ])('replaces a %s S3 URL, both placeholder forms', (_style, url) => {
    for (const form of ['s3-presigned-url', 's3-presigned-url-v2']) {
      const doc = JSON.stringify({ operation: 'ota', url: `\${aws:iot:${form}:${url}}` });
      expect(hasPresignedPlaceholders(doc)).toBe(true);
      expect(JSON.parse(replacePresignedPlaceholders(doc, sign))).toEqual({ operation: 'ota', url: sign('fw-bucket', 'releases/v2.bin') });
    }
  });

  it('replaces every placeholder, several in one string too, and decodes the key', () => {
    const doc = JSON.stringify({
      files: ['${aws:iot:s3-presigned-url:https://a.s3.amazonaws.com/one.bin}', '${aws:iot:s3-presigned-url-v2:https://s3.amazonaws.com/b/dir/two%20words.bin}'],
      both: 'x ${aws:iot:s3-presigned-url:https://a.s3.amazonaws.com/1} y ${aws:iot:s3-presigned-url:https://a.s3.amazonaws.com/2} z',
    });
    expect(presignedObjects(doc)).toEqual([
      { bucket: 'a', key: 'one.bin' },
      { bucket: 'b', key: 'dir/two words.bin' },
      { bucket: 'a', key: '1' },
      { bucket: 'a', key: '2' },
    ]);
    expect(JSON.parse(replacePresignedPlaceholders(doc, (b, k) => `<${b}|${k}>`))).toEqual({ files: ['<a|one.bin>', '<b|dir/two words.bin>'], both: 'x <a|1> y <a|2> z' });
  });

  it('leaves a document without placeholders, or with ones naming no S3 object, byte for byte', () => {
    for (const doc of [
      '{"version": 1.0, "steps": []}',
      '{"url":"${aws:iot:s3-presigned-url:https://example.com/file.bin}"}',
      '{"url":"${aws:iot:s3-presigned-url:not a url}"}',
      '{"url":"${aws:iot:s3-presigned-url:https://s3.amazonaws.com/bucket-only}"}',
      '{"url":"${aws:iot:s3-presigned-url:https://b.s3.amazonaws.com/%E0%A4%A}"}',
    ]) {
      expect(hasPresignedPlaceholders(doc)).toBe(false);
      expect(replacePresignedPlaceholders(doc, sign)).toBe(doc);
    }
  });

  it('reads JSON escapes inside the placeholder and never replaces across string boundaries', () => {
    const escaped = '{"url":"${aws:iot:s3-presigned-url:https:\\/\\/b.s3.amazonaws.com\\/k.bin}"}';
    expect(JSON.parse(replacePresignedPlaceholders(escaped, sign))).toEqual({ url: sign('b', 'k.bin') });
    // The `}` closing this "placeholder" is in another string: not a placeholder at all.
    const straddling = '{"a":"${aws:iot:s3-presigned-url:https://b.s3.amazonaws.com/k","b":"}"}';
    expect(hasPresignedPlaceholders(straddling)).toBe(false);
    expect(replacePresignedPlaceholders(straddling, sign)).toBe(straddling);
  });

  it('escapes whatever the signer returns, so the document stays valid JSON', () => {
    const doc = '{"url":"${aws:iot:s3-presigned-url:https://b.s3.amazonaws.com/k}"}';
    const odd = 'he said "hi"\\\n\u0000';
    expect(JSON.parse(replacePresignedPlaceholders(doc, () => odd))).toEqual({ url: odd });
  });

  // A placeholder built from arbitrary bucket and key text, in either URL style and form.
  const placeholder = fc
    .tuple(fc.constantFrom('s3-presigned-url', 's3-presigned-url-v2'), fc.boolean(), fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}$/), fc.string({ unit: 'binary', maxLength: 20 }))
    .map(([form, pathStyle, bucket, key]) => `\${aws:iot:${form}:${pathStyle ? `https://s3.amazonaws.com/${bucket}/${key}` : `https://${bucket}.s3.amazonaws.com/${key}`}}`);
  const text = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 10 }), placeholder, fc.constantFrom('}', '"', '\\', '${')), { maxLength: 6 }).map((parts) => parts.join(''));
  const jsonValue = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  })).value;

  it('property: replacing placeholders never breaks JSON, whatever the document and the signed URLs', () => {
    fc.assert(
      fc.property(jsonValue, fc.string({ unit: 'binary' }), fc.boolean(), (value, signed, pretty) => {
        const doc = JSON.stringify(value, null, pretty ? 2 : undefined);
        const out = replacePresignedPlaceholders(doc, () => signed);
        expect(() => JSON.parse(out) as unknown).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('property: replacing in the text is replacing in every string value', () => {
    const inString = (s: string): string => {
      // The same substitution applied to one decoded string, as a reader of the document sees it.
      const doc = JSON.stringify(s);
      return JSON.parse(replacePresignedPlaceholders(doc, (b, k) => `[${b}/${k}]`)) as string;
    };
    const mapStrings = (v: unknown): unknown =>
      typeof v === 'string'
        ? inString(v)
        : Array.isArray(v)
          ? v.map(mapStrings)
          : v !== null && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [inString(k), mapStrings(x)]))
            : v;
    fc.assert(
      fc.property(jsonValue, (value) => {
        const out = JSON.parse(replacePresignedPlaceholders(JSON.stringify(value), (b, k) => `[${b}/${k}]`)) as unknown;
        expect(out).toEqual(mapStrings(value));
      }),
      { numRuns: 300 },
    );
  });
});
