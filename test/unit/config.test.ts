import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatPath, loadConfigFile, parseConfigText, validateConfig } from '../../src/config/load.js';
import { DURATION_HINT, parseDuration } from '../../src/config/duration.js';
import { applyOverrides, scaleGroupCounts } from '../../src/config/scale.js';
import { LED_COLORS, type FleetConfig } from '../../src/config/schema.js';
import { AcfleetError, ConfigError, ErrorCodes } from '../../src/core/errors.js';

const DEFAULT_FLEET_YAML = fileURLToPath(new URL('../../fleet.yaml', import.meta.url));

/** One group, everything else left to the defaults. */
const MINIMAL = `groups:
  - name: Lab
    count: 3
    location:
      city: Lisbon
      country: PT
      lat: 38.7
      lon: -9.1
      climate: { meanTemp: 17, dailySwing: 8, humidity: 70 }
`;

const GROUP_B = `  - name: Porto
    count: 2
    location:
      city: Porto
      country: PT
      lat: 41.1
      lon: -8.6
      climate: { meanTemp: 15, dailySwing: 7, humidity: 75 }
`;

/** 1-based number of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`test setup: ${JSON.stringify(needle)} is not in the text`);
  return i + 1;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

/** Parses `text`, expects a ConfigError and returns its issue lines. */
function issuesOf(text: string): readonly string[] {
  const err = configError(() => parseConfigText(text, 'test.yaml'));
  expect(err.code).toBe('ACFLEET_CONFIG_INVALID');
  expect(err.code).toBe(ErrorCodes.CONFIG_INVALID);
  expect(err).toBeInstanceOf(AcfleetError);
  expect(err.message.startsWith('test.yaml is not a valid acfleet configuration')).toBe(true);
  for (const issue of err.issues) expect(err.message).toContain(issue);
  return err.issues;
}

function onlyIssue(text: string): string {
  const issues = issuesOf(text);
  expect(issues).toHaveLength(1);
  return issues[0] as string;
}

describe('the default fleet.yaml', () => {
  const text = readFileSync(DEFAULT_FLEET_YAML, 'utf8');

  it('parses into 5 groups and 200 devices, São Paulo first', () => {
    const config = parseConfigText(text, 'fleet.yaml');
    expect(config.groups).toHaveLength(5);
    expect(config.groups.reduce((a, g) => a + g.count, 0)).toBe(200);
    expect(config.groups.map((g) => g.name)).toEqual(['SaoPaulo', 'NewYork', 'London', 'Tokyo', 'Sydney']);
    const sp = config.groups[0];
    expect(sp?.thingNamePrefix).toBe('SaoPaulo');
    expect(sp?.location.city).toBe('São Paulo');
    expect(sp?.initialState.ledColor).toBe('red');
    expect(sp?.initialState.tempUnit).toBe('fahrenheit');
    expect(sp?.initialState.power).toBe('on');
  });

  it('converts its duration strings to milliseconds', () => {
    const config = parseConfigText(text, 'fleet.yaml');
    expect(config.telemetry.interval).toBe(10_000);
    expect(config.device).toEqual({ keepalive: 60_000, reconnectMin: 1_000, reconnectMax: 60_000, jobStepDuration: 5_000, bootTime: 30_000 });
    expect(config.account).toBe('123456789012');
    expect(config.broker).toMatchObject({ type: 'embedded', host: '127.0.0.1', port: 1883 });
  });

  it('turns jobs events on, for the workshop', () => {
    expect(parseConfigText(text, 'fleet.yaml').events).toEqual({ job: true, jobExecution: true });
  });

  it('loadConfigFile reads the same configuration from disk', () => {
    expect(loadConfigFile(DEFAULT_FLEET_YAML)).toEqual(parseConfigText(text, 'fleet.yaml'));
  });

  it('loadConfigFile reports a missing file as CONFIG_NOT_FOUND, not as an invalid configuration', () => {
    const missing = fileURLToPath(new URL('../../does-not-exist.fleet.yaml', import.meta.url));
    let caught: unknown;
    try {
      loadConfigFile(missing);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AcfleetError);
    expect(caught).not.toBeInstanceOf(ConfigError);
    expect((caught as AcfleetError).code).toBe('ACFLEET_CONFIG_NOT_FOUND');
    expect((caught as AcfleetError).message).toContain(missing);
    expect((caught as AcfleetError).message).toContain('ENOENT');
  });
});

describe('defaults', () => {
  it('fills in every default for a config with just one group', () => {
    const config = parseConfigText(MINIMAL);
    expect(config.seed).toBe(42);
    expect(config.speed).toBe(1);
    expect(config.region).toBe('us-east-1');
    expect(config.account).toBe('123456789012');
    expect(config.broker).toEqual({ type: 'embedded', host: '127.0.0.1', port: 1883 });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.telemetry).toEqual({ interval: 10_000, topic: 'dt/acfleet/{location}/{thingName}/telemetry', qos: 0 });
    expect(config.device).toEqual({ keepalive: 60_000, reconnectMin: 1_000, reconnectMax: 60_000, jobStepDuration: 5_000, bootTime: 30_000 });
    expect(config.shadow).toEqual({ maxStateBytes: 8192, deltaOn: 'desired-updates' });
    // AWS publishes no jobs events until they are enabled.
    expect(config.events).toEqual({ job: false, jobExecution: false });
    expect(config.groups).toHaveLength(1);
    expect(config.groups[0]?.initialState).toEqual({ ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' });
    expect(config.groups[0]?.thingNamePrefix).toBeUndefined();
  });

  it('fills in the initial-state keys that a group leaves out', () => {
    const config = parseConfigText(`${MINIMAL}    initialState: { tempUnit: celsius }\n`);
    expect(config.groups[0]?.initialState).toEqual({ ledColor: 'red', tempUnit: 'celsius', setpoint: 22, power: 'on' });
  });

  it('fills in the other keys of a section that sets only some', () => {
    const config = parseConfigText(`telemetry:\n  qos: 1\nbroker:\n  type: embedded\n  port: 2883\n${MINIMAL}`);
    expect(config.telemetry).toEqual({ interval: 10_000, topic: 'dt/acfleet/{location}/{thingName}/telemetry', qos: 1 });
    expect(config.broker).toEqual({ type: 'embedded', host: '127.0.0.1', port: 2883 });
  });

  it('takes a job step duration and turns jobs events on one at a time', () => {
    const config = parseConfigText(`device:\n  jobStepDuration: 500ms\nevents:\n  jobExecution: true\n${MINIMAL}`);
    expect(config.device.jobStepDuration).toBe(500);
    expect(config.device.keepalive).toBe(60_000);
    expect(config.events).toEqual({ job: false, jobExecution: true });
    expect(parseConfigText(`device:\n  jobStepDuration: 0\n${MINIMAL}`).device.jobStepDuration).toBe(0);
  });

  it('accepts an external broker', () => {
    const config = parseConfigText(`broker:\n  type: external\n  url: mqtt://mosquitto:1883\n${MINIMAL}`);
    expect(config.broker).toEqual({ type: 'external', url: 'mqtt://mosquitto:1883' });
  });

  it('validateConfig accepts an already-parsed object', () => {
    const config = validateConfig({
      seed: 7,
      groups: [{ name: 'G', count: 1, location: { city: 'Oslo', country: 'NO', lat: 59.9, lon: 10.7, climate: { meanTemp: 6, dailySwing: 6, humidity: 75 } } }],
    });
    expect(config.seed).toBe(7);
    expect(config.groups[0]?.initialState.setpoint).toBe(22);
  });
});

describe('invalid configurations', () => {
  it('negative count: path, value, limit and line', () => {
    const text = MINIMAL.replace('count: 3', 'count: -3');
    const issue = onlyIssue(text);
    expect(issue).toContain('groups[0].count');
    expect(issue).toContain('got -3');
    expect(issue).toMatch(/>=\s*0/);
    expect(issue.startsWith(`line ${lineOf(text, 'count: -3')}, `)).toBe(true);
  });

  it('a fractional count is refused', () => {
    const issue = onlyIssue(MINIMAL.replace('count: 3', 'count: 2.5'));
    expect(issue).toContain('groups[0].count');
    expect(issue).toContain('got 2.5');
  });

  it('unknown top-level key (typo "grups") names the key', () => {
    const text = `grups: []\n${MINIMAL}`;
    const issue = onlyIssue(text);
    expect(issue).toContain('grups: unknown key');
    expect(issue).toMatch(/^line \d+, /);
  });

  // Regression: an unknown key's zod issue sits on its parent mapping; the line must still be the key's own.
  it('unknown key: the line number is the line of the unknown key', () => {
    const text = `seed: 1\ngrups: []\n${MINIMAL}`;
    const issue = onlyIssue(text);
    expect(issue.startsWith(`line ${lineOf(text, 'grups')}, `)).toBe(true);
  });

  it('unknown key inside a group names the group path', () => {
    const text = `${MINIMAL}    colour: red\n`;
    const issue = onlyIssue(text);
    expect(issue).toContain('groups[0].colour: unknown key');
    expect(issue).toMatch(/^line \d+, /);
  });

  it('bad enum: ledColor pink lists the allowed colours', () => {
    const text = `${MINIMAL}    initialState: { ledColor: pink }\n`;
    const issue = onlyIssue(text);
    expect(issue).toContain('groups[0].initialState.ledColor');
    expect(issue).toContain('got "pink"');
    for (const c of LED_COLORS) expect(issue).toContain(`"${c}"`);
    expect(issue.startsWith(`line ${lineOf(text, 'pink')}, `)).toBe(true);
  });

  it('bad latitude', () => {
    const text = MINIMAL.replace('lat: 38.7', 'lat: 123');
    const issue = onlyIssue(text);
    expect(issue).toContain('groups[0].location.lat');
    expect(issue).toContain('got 123');
    expect(issue).toMatch(/<=\s*90/);
    expect(issue.startsWith(`line ${lineOf(text, 'lat: 123')}, `)).toBe(true);
  });

  it('bad duration string', () => {
    const text = `telemetry:\n  interval: 10 parsecs\n${MINIMAL}`;
    const issue = onlyIssue(text);
    expect(issue).toContain('telemetry.interval');
    expect(issue).toContain('got "10 parsecs"');
    expect(issue).toContain(DURATION_HINT);
    expect(issue.startsWith(`line ${lineOf(text, 'parsecs')}, `)).toBe(true);
  });

  it('a duration outside its range is refused with the range', () => {
    const text = `telemetry:\n  interval: 50ms\n${MINIMAL}`;
    const issue = onlyIssue(text);
    expect(issue).toContain('telemetry.interval');
    expect(issue).toContain('between 0.1s and 86400s');
    expect(issue).toContain('got "50ms"');
  });

  it('telemetry topic without {thingName}', () => {
    const text = `telemetry:\n  topic: dt/acfleet/{location}/telemetry\n${MINIMAL}`;
    const issue = onlyIssue(text);
    expect(issue).toContain('telemetry.topic');
    expect(issue).toContain('must contain {thingName}');
    expect(issue).toContain('got "dt/acfleet/{location}/telemetry"');
    expect(issue.startsWith(`line ${lineOf(text, 'topic:')}, `)).toBe(true);
  });

  it.each([
    ['dt/acfleet/{thingName}/#', '#'],
    ['dt/+/{thingName}/telemetry', '+'],
    ['$aws/{thingName}/telemetry', '$'],
  ])('telemetry topic %s is not a plain topic', (topic) => {
    const text = `telemetry:\n  topic: "${topic}"\n${MINIMAL}`;
    const issue = onlyIssue(text);
    expect(issue).toContain('telemetry.topic');
    expect(issue).toContain('must be a plain topic');
    expect(issue).toContain(`got ${JSON.stringify(topic)}`);
    expect(issue.startsWith(`line ${lineOf(text, 'topic:')}, `)).toBe(true);
  });

  it('duplicate thingNamePrefix across groups', () => {
    const text = `${MINIMAL}${GROUP_B}    thingNamePrefix: Lab\n`;
    const issue = onlyIssue(text);
    expect(issue).toContain('groups[1].thingNamePrefix');
    expect(issue).toContain('"Lab"');
    expect(issue).toContain('groups[0]');
    expect(issue.startsWith(`line ${lineOf(text, 'thingNamePrefix: Lab')}, `)).toBe(true);
  });

  it('two groups with the same name and no prefix collide too', () => {
    const text = `${MINIMAL}${GROUP_B.replace('name: Porto', 'name: Lab')}`;
    const issue = onlyIssue(text);
    expect(issue).toContain('groups[1].thingNamePrefix');
    expect(issue).toContain('"Lab"');
  });

  // Regression: superRefine issues used to report the whole configuration as the bad value.
  it('duplicate prefix: the "got" part names the value, not the whole configuration', () => {
    const issue = onlyIssue(`${MINIMAL}${GROUP_B}    thingNamePrefix: Lab\n`);
    expect(issue).not.toMatch(/got \{/);
  });

  it('a job step duration that is not a duration, or longer than an hour', () => {
    const bad = onlyIssue(`device:\n  jobStepDuration: soon\n${MINIMAL}`);
    expect(bad).toContain('device.jobStepDuration');
    expect(bad).toContain(DURATION_HINT);
    expect(onlyIssue(`device:\n  jobStepDuration: 2h\n${MINIMAL}`)).toContain('between 0s and 3600s');
  });

  it('events flags must be booleans, and only job and jobExecution exist', () => {
    expect(onlyIssue(`events:\n  job: "yes please"\n${MINIMAL}`)).toContain('events.job');
    expect(onlyIssue(`events:\n  thing: true\n${MINIMAL}`)).toContain('events.thing');
  });

  it('reconnectMax shorter than reconnectMin', () => {
    const issue = onlyIssue(`device:\n  reconnectMin: 10s\n  reconnectMax: 5s\n${MINIMAL}`);
    expect(issue).toContain('device.reconnectMax');
    expect(issue).toContain('device.reconnectMin');
  });

  it('YAML syntax error reports the line and says it is YAML syntax', () => {
    const text = `seed: 1\ngroups: [\n  - a: b\n`;
    const issues = issuesOf(text);
    expect(issues.length).toBeGreaterThanOrEqual(1);
    for (const i of issues) {
      expect(i).toMatch(/^line \d+: /);
      expect(i).toContain('(YAML syntax)');
    }
    expect(issues[0]?.startsWith('line 3: ')).toBe(true);
  });

  it('a duplicated key is a YAML error', () => {
    const issues = issuesOf(`seed: 1\nseed: 2\n${MINIMAL}`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^line 2: /);
    expect(issues[0]).toContain('(YAML syntax)');
  });

  it('missing groups', () => {
    const issue = onlyIssue('seed: 1\n');
    expect(issue).toContain('groups');
    expect(issue).toContain('is required');
    expect(issue).toMatch(/^line 1, /);
  });

  it('an empty file is missing its groups', () => {
    const issue = onlyIssue('');
    expect(issue).toContain('groups');
    expect(issue).toContain('is required');
  });

  it('an empty group list', () => {
    const issue = onlyIssue('groups: []\n');
    expect(issue).toContain('groups');
    expect(issue).toContain('list at least one group');
  });

  it('account that is not 12 digits', () => {
    const text = `account: "12345"\n${MINIMAL}`;
    const issue = onlyIssue(text);
    expect(issue).toContain('account');
    expect(issue).toContain('12-digit');
    expect(issue).toContain('got "12345"');
    expect(issue.startsWith('line 1, ')).toBe(true);
  });

  it('an unquoted account id (a number) is refused', () => {
    const issue = onlyIssue(`account: 123456789012\n${MINIMAL}`);
    expect(issue).toContain('account');
    expect(issue).toContain('got 123456789012');
  });

  it('reports several errors at once, each with its own line', () => {
    const text = `account: "1"\n${MINIMAL.replace('count: 3', 'count: -3').replace('lat: 38.7', 'lat: 123')}    initialState: { ledColor: pink }\n`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(4);
    const find = (needle: string): string => {
      const hit = issues.find((i) => i.includes(needle));
      if (!hit) throw new Error(`no issue mentions ${needle}: ${issues.join(' | ')}`);
      return hit;
    };
    expect(find('account:').startsWith(`line ${lineOf(text, 'account')}, `)).toBe(true);
    expect(find('groups[0].count').startsWith(`line ${lineOf(text, 'count: -3')}, `)).toBe(true);
    expect(find('groups[0].location.lat').startsWith(`line ${lineOf(text, 'lat: 123')}, `)).toBe(true);
    expect(find('ledColor').startsWith(`line ${lineOf(text, 'pink')}, `)).toBe(true);
  });

  it('validateConfig without a line mapper reports bare paths', () => {
    const err = configError(() => validateConfig({ groups: [] }, 'inline'));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.startsWith('groups: ')).toBe(true);
    expect(err.message.startsWith('inline is not a valid acfleet configuration')).toBe(true);
  });

  it('formatPath renders zod paths the way YAML users write them', () => {
    expect(formatPath(['groups', 0, 'location', 'lat'])).toBe('groups[0].location.lat');
    expect(formatPath(['telemetry', 'topic'])).toBe('telemetry.topic');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1.5s', 1_500],
    [' 10s ', 10_000],
    ['10 s', 10_000],
  ])('%j → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('numbers are seconds', () => {
    expect(parseDuration(10)).toBe(10_000);
    expect(parseDuration(0.5)).toBe(500);
    expect(parseDuration(0)).toBe(0);
  });

  it.each(['10 parsecs', '10', 's', '', '-5s', '10sec', '1d', '5 m s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('rejects negative, non-finite and non-numeric values', () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.NaN)).toBeUndefined();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseDuration(null)).toBeUndefined();
    expect(parseDuration({ s: 1 })).toBeUndefined();
  });

  it('config durations accept seconds and unit strings', () => {
    const config = parseConfigText(`telemetry:\n  interval: 500ms\ndevice:\n  keepalive: 5m\n  reconnectMin: 2\n  reconnectMax: 1h\n${MINIMAL}`);
    expect(config.telemetry.interval).toBe(500);
    expect(config.device).toEqual({ keepalive: 300_000, reconnectMin: 2_000, reconnectMax: 3_600_000, jobStepDuration: 5_000, bootTime: 30_000 });
  });
});

describe('scaleGroupCounts', () => {
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

  it('scales the default fleet to 100 devices by largest remainder', () => {
    const out = scaleGroupCounts([60, 40, 35, 35, 30], 100);
    expect(sum(out)).toBe(100);
    expect(out).toEqual([30, 20, 18, 17, 15]);
  });

  it('returns the counts unchanged (as a copy) when the total already matches', () => {
    const counts = [60, 40, 35, 35, 30];
    const out = scaleGroupCounts(counts, 200);
    expect(out).toEqual(counts);
    expect(out).not.toBe(counts);
  });

  it('keeps a tiny group represented, taking the device from the largest', () => {
    expect(scaleGroupCounts([1000, 1], 10)).toEqual([9, 1]);
    expect(scaleGroupCounts([1000, 1, 1], 3)).toEqual([1, 1, 1]);
  });

  it('never gives devices to an empty group', () => {
    expect(scaleGroupCounts([0, 10, 10], 4)).toEqual([0, 2, 2]);
  });

  it('scales up as well as down', () => {
    expect(scaleGroupCounts([1, 2, 1], 20)).toEqual([5, 10, 5]);
  });

  it('property: the result sums to the total, leaves empty groups empty and keeps non-empty ones when it can', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 12 }).filter((c) => sum(c) > 0),
        fc.nat({ max: 5000 }),
        (counts, total) => {
          const out = scaleGroupCounts(counts, total);
          expect(out).toHaveLength(counts.length);
          expect(sum(out)).toBe(total);
          const nonEmpty = counts.filter((c) => c > 0).length;
          counts.forEach((c, i) => {
            const o = out[i] as number;
            expect(Number.isInteger(o)).toBe(true);
            expect(o).toBeGreaterThanOrEqual(0);
            if (c === 0) expect(o).toBe(0);
            else if (total >= nonEmpty) expect(o).toBeGreaterThanOrEqual(1);
          });
        },
      ),
    );
  });

  it('property: keeps proportions within one device when every group earns at least one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 50_000 }),
        (counts, total) => {
          const s = sum(counts);
          fc.pre(counts.every((c) => (c * total) / s >= 1));
          const out = scaleGroupCounts(counts, total);
          counts.forEach((c, i) => expect(Math.abs((out[i] as number) - (c * total) / s)).toBeLessThan(1));
        },
      ),
    );
  });
});

describe('applyOverrides', () => {
  const base = (): FleetConfig =>
    parseConfigText(`broker:\n  type: embedded\n  deviceSecret: 0123456789abcdef-secret\n${MINIMAL.replace('count: 3', 'count: 30')}${GROUP_B.replace('count: 2', 'count: 10')}`);

  it('with no overrides returns an equal copy', () => {
    const config = base();
    const out = applyOverrides(config, {});
    expect(out).toEqual(config);
    expect(out).not.toBe(config);
    expect(out.groups).not.toBe(config.groups);
  });

  it('devices rescales the groups', () => {
    const out = applyOverrides(base(), { devices: 8 });
    expect(out.groups.map((g) => g.count)).toEqual([6, 2]);
  });

  it('speed, seed, ports and host', () => {
    const out = applyOverrides(base(), { speed: 60, seed: 7, mqttPort: 2883, httpPort: 9090, host: '0.0.0.0' });
    expect(out.speed).toBe(60);
    expect(out.seed).toBe(7);
    expect(out.broker).toMatchObject({ type: 'embedded', port: 2883, host: '0.0.0.0' });
    expect(out.http).toEqual({ host: '0.0.0.0', port: 9090 });
  });

  it('brokerUrl turns the broker into an external one, keeping the device secret', () => {
    const out = applyOverrides(base(), { brokerUrl: 'mqtt://mosquitto:1883', mqttPort: 2883, host: '0.0.0.0' });
    expect(out.broker).toEqual({ type: 'external', url: 'mqtt://mosquitto:1883', deviceSecret: '0123456789abcdef-secret' });
    // The host still applies to the HTTP API.
    expect(out.http.host).toBe('0.0.0.0');
  });

  it('does not mutate its input', () => {
    const config = base();
    const before = structuredClone(config);
    applyOverrides(config, { devices: 3, speed: 10, seed: 1, mqttPort: 1, httpPort: 2, host: 'h' });
    applyOverrides(config, { brokerUrl: 'mqtt://x:1' });
    expect(config).toEqual(before);
  });
});
