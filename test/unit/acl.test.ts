import { existsSync, readFileSync } from 'node:fs';
import { pbkdf2Sync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { canPublish, canSubscribe, isThingRequestTopic, splitThingTopic, type Principal } from '../../src/broker/acl.js';
import {
  CLOUD_USERNAME,
  OPERATOR_USERNAME,
  passwordLine,
  renderAcl,
  renderPasswordFile,
  telemetryPattern,
} from '../../src/broker/mosquitto-files.js';
import { devicePassword } from '../../src/core/device-password.js';

const DEFAULT_TEMPLATE = 'dt/acfleet/{location}/{thingName}/telemetry';
const COMMITTED_ACL = fileURLToPath(new URL('../../docker/mosquitto/acl', import.meta.url));

const SP1_TELEMETRY = 'dt/acfleet/sao-paulo/SaoPaulo-00001/telemetry';
const SP1: Principal = { kind: 'device', thingName: 'SaoPaulo-00001', telemetryTopic: SP1_TELEMETRY };
/** A thing whose name is a prefix of SP1's. */
const SP0: Principal = { kind: 'device', thingName: 'SaoPaulo-0000', telemetryTopic: 'dt/acfleet/sao-paulo/SaoPaulo-0000/telemetry' };
const OPERATOR: Principal = { kind: 'operator', username: undefined };
const SERVICE: Principal = { kind: 'service' };

const OWN = '$aws/things/SaoPaulo-00001';
const OTHER = '$aws/things/SaoPaulo-00002';

/** Request topics below a thing, relative to `$aws/things/{thing}/`. */
const REQUESTS = [
  'shadow/get',
  'shadow/update',
  'shadow/delete',
  'shadow/name/cfg/get',
  'shadow/name/cfg/update',
  'shadow/name/cfg/delete',
  'jobs/get',
  'jobs/start-next',
  'jobs/job-42/get',
  'jobs/job-42/update',
];

/** Response, notification and other topics only the service may publish below a thing. */
const RESPONSES = [
  'shadow/get/accepted',
  'shadow/get/rejected',
  'shadow/update/accepted',
  'shadow/update/rejected',
  'shadow/update/delta',
  'shadow/update/documents',
  'shadow/delete/accepted',
  'shadow/name/cfg/update/accepted',
  'shadow/name/cfg/update/delta',
  'shadow/name/cfg/update/documents',
  'jobs/notify',
  'jobs/notify-next',
  'jobs/get/accepted',
  'jobs/start-next/accepted',
  'jobs/x/update/accepted',
  'jobs/x/get/rejected',
  'shadow',
  'jobs',
  'other/topic',
];

/**
 * Request shapes with an empty shadow name or job id. The embedded broker refuses them; mosquitto's
 * `+` matches an empty level, so its ACL lets a device send them for its own thing (harmless: the
 * shadow and jobs services reject them), hence they are left out of the mosquitto parity check.
 */
const EMPTY_LEVEL = ['shadow/name//update', 'shadow/name//get', 'jobs//get', 'jobs//update'];

/** MQTT filter matching, including the rule that a leading wildcard never matches a `$` topic. */
function mqttMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

describe('isThingRequestTopic / splitThingTopic', () => {
  it.each(REQUESTS)('%s is a request', (rest) => {
    expect(isThingRequestTopic(rest)).toBe(true);
  });

  it.each([...RESPONSES, ...EMPTY_LEVEL])('%s is not a request', (rest) => {
    expect(isThingRequestTopic(rest)).toBe(false);
  });

  it('splits $aws/things topics', () => {
    expect(splitThingTopic(`${OWN}/shadow/update`)).toEqual({ thing: 'SaoPaulo-00001', rest: 'shadow/update' });
    expect(splitThingTopic(`${OWN}/shadow/name/a/b`)).toEqual({ thing: 'SaoPaulo-00001', rest: 'shadow/name/a/b' });
    expect(splitThingTopic(OWN)).toBeUndefined();
    expect(splitThingTopic('$aws/events/presence/connected/SaoPaulo-00001')).toBeUndefined();
    expect(splitThingTopic('dt/acfleet/x')).toBeUndefined();
  });
});

describe('a device', () => {
  it.each(REQUESTS)('may publish its own %s', (rest) => {
    expect(canPublish(SP1, `${OWN}/${rest}`)).toBe(true);
  });

  it('may publish its own telemetry topic', () => {
    expect(canPublish(SP1, 'dt/acfleet/sao-paulo/SaoPaulo-00001/telemetry')).toBe(true);
  });

  it.each(REQUESTS)("may not publish another thing's %s", (rest) => {
    expect(canPublish(SP1, `${OTHER}/${rest}`)).toBe(false);
    expect(canPublish(SP0, `${OWN}/${rest}`)).toBe(false);
  });

  it.each([...RESPONSES, ...EMPTY_LEVEL])('may not publish the response or malformed topic %s, even its own', (rest) => {
    expect(canPublish(SP1, `${OWN}/${rest}`)).toBe(false);
  });

  it.each([
    '$aws/events/presence/connected/SaoPaulo-00001',
    '$aws/events/thing/SaoPaulo-00001/updated',
    'dt/acfleet/sao-paulo/SaoPaulo-00002/telemetry',
    'dt/acfleet/new-york/SaoPaulo-00001/telemetry',
    'dt/acfleet/sao-paulo/SaoPaulo-00001/telemetry/extra',
    '$SYS/x',
    'anything/else',
    OWN,
    `${OWN}/`,
  ])('may not publish %s', (topic) => {
    expect(canPublish(SP1, topic)).toBe(false);
  });

  it.each([`${OWN}/#`, `${OWN}/shadow/get/+`, `${OWN}/shadow/update/delta`, `${OWN}/jobs/notify-next`, `${OWN}/shadow/name/+/update/accepted`])(
    'may subscribe to its own %s',
    (filter) => {
      expect(canSubscribe(SP1, filter)).toBe(true);
    },
  );

  it('may subscribe to its own telemetry topic', () => {
    expect(canSubscribe(SP1, SP1_TELEMETRY)).toBe(true);
  });

  it('a thing registered without a telemetry topic keeps its own thing topics and gets no telemetry topic', () => {
    const bare: Principal = { kind: 'device', thingName: 'Api-Thing', telemetryTopic: undefined };
    expect(canPublish(bare, '$aws/things/Api-Thing/shadow/update')).toBe(true);
    expect(canSubscribe(bare, '$aws/things/Api-Thing/#')).toBe(true);
    expect(canPublish(bare, 'dt/acfleet/x/Api-Thing/telemetry')).toBe(false);
    expect(canPublish(bare, '$aws/things/SaoPaulo-00001/shadow/update')).toBe(false);
  });

  it.each([
    '$aws/things/+/shadow/#',
    '#',
    '+/#',
    '$aws/#',
    '$aws/things/#',
    `${OTHER}/#`,
    OWN,
    `${OWN}/`,
    '$aws/events/#',
    'dt/acfleet/+/+/telemetry',
    'dt/acfleet/sao-paulo/SaoPaulo-00002/telemetry',
    '$SYS/#',
  ])('may not subscribe to %s', (filter) => {
    expect(canSubscribe(SP1, filter)).toBe(false);
  });

  it("a thing whose name is a prefix of another's gets none of its topics", () => {
    for (const rest of [...REQUESTS, '#', 'shadow/get/+']) {
      expect(canSubscribe(SP0, `${OWN}/${rest}`)).toBe(false);
      expect(canPublish(SP0, `${OWN}/${rest}`)).toBe(false);
    }
    expect(canPublish(SP0, 'dt/acfleet/sao-paulo/SaoPaulo-00001/telemetry')).toBe(false);
    expect(canSubscribe(SP0, `$aws/things/SaoPaulo-0000/#`)).toBe(true);
  });

  it("property: a device may publish under $aws/things only its own requests", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('SaoPaulo-00001', 'SaoPaulo-0000', 'SaoPaulo-000011', 'NewYork-00001'),
        fc.constantFrom(...REQUESTS, ...RESPONSES),
        (thing, rest) => {
          const allowed = canPublish(SP1, `$aws/things/${thing}/${rest}`);
          expect(allowed).toBe(thing === 'SaoPaulo-00001' && REQUESTS.includes(rest));
        },
      ),
    );
  });
});

describe('an operator', () => {
  it.each(REQUESTS)('may publish %s for any thing', (rest) => {
    expect(canPublish(OPERATOR, `${OWN}/${rest}`)).toBe(true);
    expect(canPublish(OPERATOR, `${OTHER}/${rest}`)).toBe(true);
  });

  it('may publish any non-$ topic', () => {
    for (const t of ['dt/acfleet/sao-paulo/SaoPaulo-00001/telemetry', 'a', 'cmd/x/y', 'aws/things/x/shadow/update/accepted']) {
      expect(canPublish(OPERATOR, t)).toBe(true);
    }
  });

  it.each(RESPONSES)('may not publish the response topic %s', (rest) => {
    expect(canPublish(OPERATOR, `${OWN}/${rest}`)).toBe(false);
  });

  it.each(['$aws/events/presence/connected/SaoPaulo-00001', '$aws/events/thing/x/created', '$SYS/broker/uptime', '$aws/things/x', '$other'])(
    'may not publish %s',
    (topic) => {
      expect(canPublish(OPERATOR, topic)).toBe(false);
    },
  );

  it('may subscribe to anything', () => {
    for (const f of ['#', '$aws/#', '$aws/things/+/shadow/#', '$SYS/#', '$aws/events/#', `${OWN}/shadow/update/accepted`]) {
      expect(canSubscribe(OPERATOR, f)).toBe(true);
    }
    expect(canSubscribe({ kind: 'operator', username: 'operator' }, '#')).toBe(true);
  });
});

describe('the service', () => {
  it('may publish and subscribe to everything', () => {
    for (const t of ['#', '$SYS/x', '$aws/events/presence/connected/x', `${OWN}/shadow/update/accepted`, `${OTHER}/jobs/notify-next`, 'a/b']) {
      expect(canPublish(SERVICE, t)).toBe(true);
      expect(canSubscribe(SERVICE, t)).toBe(true);
    }
  });
});

describe('mosquitto password file', () => {
  /** Checks a `user:$7$101$salt$hash` line against a password, as mosquitto would. */
  function verifies(line: string, username: string, password: string): boolean {
    const m = /^([^:]+):\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m || m[1] !== username) return false;
    const salt = Buffer.from(m[3] as string, 'base64');
    const stored = Buffer.from(m[4] as string, 'base64');
    return pbkdf2Sync(password, salt, Number(m[2]), 64, 'sha512').equals(stored);
  }

  it('passwordLine writes PBKDF2-SHA512, 101 iterations, salt and hash in base64', () => {
    const line = passwordLine('u', 'p');
    expect(line).toMatch(/^u:\$7\$101\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    const [, , , salt, hash] = line.split('$');
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(12);
    expect(Buffer.from(hash ?? '', 'base64')).toHaveLength(64);
    expect(verifies(line, 'u', 'p')).toBe(true);
    expect(verifies(line, 'u', 'q')).toBe(false);
  });

  it('salts each line afresh', () => {
    expect(passwordLine('u', 'p')).not.toBe(passwordLine('u', 'p'));
  });

  it('renderPasswordFile: cloud, then operator, then one line per thing with its HMAC password', () => {
    const secret = 'a-device-secret-of-some-length';
    const things = ['SaoPaulo-00001', 'SaoPaulo-00002', 'NewYork-00001'];
    const text = renderPasswordFile({ deviceSecret: secret, thingNames: things, cloudPassword: 'cloud-pw', operatorPassword: 'operator-pw' });
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(things.length + 2);
    expect(verifies(lines[0] ?? '', CLOUD_USERNAME, 'cloud-pw')).toBe(true);
    expect(verifies(lines[1] ?? '', OPERATOR_USERNAME, 'operator-pw')).toBe(true);
    things.forEach((name, i) => {
      const line = lines[i + 2] ?? '';
      expect(verifies(line, name, devicePassword(secret, name))).toBe(true);
      expect(verifies(line, name, devicePassword('another-secret-entirely', name))).toBe(false);
    });
  });

  it('renderPasswordFile without an operator password has no operator line', () => {
    const text = renderPasswordFile({ deviceSecret: 'x'.repeat(16), thingNames: new Set(['A-00001']), cloudPassword: 'c' });
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith(`${OPERATOR_USERNAME}:`))).toBe(false);
    expect(lines[1]?.startsWith('A-00001:')).toBe(true);
  });

  it('devicePassword differs per thing and per secret', () => {
    expect(devicePassword('s'.repeat(16), 'A')).not.toBe(devicePassword('s'.repeat(16), 'B'));
    expect(devicePassword('s'.repeat(16), 'A')).not.toBe(devicePassword('t'.repeat(16), 'A'));
    expect(devicePassword('s'.repeat(16), 'A')).toBe(devicePassword('s'.repeat(16), 'A'));
  });
});

describe('mosquitto ACL', () => {
  const acl = renderAcl(DEFAULT_TEMPLATE);
  const lines = acl.split('\n');
  const deviceWrites = lines.filter((l) => l.startsWith('pattern write ')).map((l) => l.slice('pattern write '.length));

  it('telemetryPattern maps the template to a mosquitto pattern', () => {
    expect(telemetryPattern(DEFAULT_TEMPLATE)).toBe('dt/acfleet/+/%u/telemetry');
    expect(telemetryPattern('t/{thingName}')).toBe('t/%u');
  });

  it('holds the device, cloud and operator rules', () => {
    expect(lines).toContain('pattern write dt/acfleet/+/%u/telemetry');
    expect(lines).toContain('pattern read $aws/things/%u/#');
    expect(lines).toContain(`user ${CLOUD_USERNAME}`);
    expect(lines).toContain(`user ${OPERATOR_USERNAME}`);
    expect(acl.endsWith('\n')).toBe(true);
  });

  it('no device write pattern ends in a response topic', () => {
    expect(deviceWrites.length).toBeGreaterThan(0);
    for (const p of deviceWrites) expect(p).not.toMatch(/(accepted|rejected|delta|documents|notify|notify-next)$/);
  });

  it('device write patterns allow exactly what canPublish allows a device', () => {
    const thing = 'SaoPaulo-00001';
    const patterns = deviceWrites.map((p) => p.replaceAll('%u', thing));
    const topics = [
      ...[...REQUESTS, ...RESPONSES].map((r) => `$aws/things/${thing}/${r}`),
      ...[...REQUESTS, ...RESPONSES].map((r) => `$aws/things/SaoPaulo-00002/${r}`),
      'dt/acfleet/sao-paulo/SaoPaulo-00001/telemetry',
      'dt/acfleet/sao-paulo/SaoPaulo-00002/telemetry',
      '$aws/events/presence/connected/SaoPaulo-00001',
      '$SYS/x',
    ];
    for (const topic of topics) {
      const mosquitto = patterns.some((p) => mqttMatches(p, topic));
      expect({ topic, mosquitto }).toEqual({ topic, mosquitto: canPublish(SP1, topic) });
    }
  });

  it('operator write rules never match service replies, events or $SYS', () => {
    const operatorWrites = lines.filter((l) => l.startsWith('topic write ')).map((l) => l.slice('topic write '.length));
    for (const rest of RESPONSES) {
      expect(operatorWrites.some((p) => mqttMatches(p, `${OWN}/${rest}`))).toBe(false);
    }
    for (const t of ['$aws/events/presence/connected/x', '$SYS/broker/uptime']) {
      expect(operatorWrites.some((p) => mqttMatches(p, t))).toBe(false);
    }
    for (const rest of REQUESTS) expect(operatorWrites.some((p) => mqttMatches(p, `${OTHER}/${rest}`))).toBe(true);
  });

  it('the committed docker/mosquitto/acl matches renderAcl of the default template', () => {
    if (!existsSync(COMMITTED_ACL)) {
      throw new Error('docker/mosquitto/acl is missing: regenerate with acfleet mosquitto-config');
    }
    expect(readFileSync(COMMITTED_ACL, 'utf8')).toBe(renderAcl(DEFAULT_TEMPLATE));
  });
});
