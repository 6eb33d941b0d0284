import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configuredFaults, faultsInput, faultsPatchSchema, completeFaults, NO_FAULTS_CONFIG, type GroupFaultsConfig } from '../../src/config/faults.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { parseConfigText } from '../../src/config/load.js';
import { applyOverrides } from '../../src/config/scale.js';
import { applyFaultsChange, faultsDocumentSchema, FaultSettings, fromDocument, toDocument } from '../../src/cloud/fault-settings.js';
import { openStore } from '../../src/cloud/store/sqlite.js';
import { faultsChangeFor } from '../../src/cli/commands/faults.js';
import { parseFaultAssignments, splitTopLevel } from '../../src/cli/fault-assignments.js';
import { resolveConfig, type CommonArgs } from '../../src/cli/options.js';
import { ConfigError } from '../../src/core/errors.js';

const GROUP = (name: string, extra = ''): string => `  - name: ${name}
    count: 3
    location: { city: Lisbon, country: PT, lat: 38.7, lon: -9.1, climate: { meanTemp: 17, dailySwing: 8, humidity: 70 } }
${extra}`;
const TWO_GROUPS = `groups:\n${GROUP('Lab')}${GROUP('Field')}`;

function issuesOf(text: string): readonly string[] {
  try {
    parseConfigText(text, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('fleet.yaml: faults', () => {
  it('has none by default, in the shipped fleet.yaml too', () => {
    const config = parseConfigText(TWO_GROUPS);
    expect(configuredFaults(config)).toEqual({ Lab: NO_FAULTS_CONFIG, Field: NO_FAULTS_CONFIG });
    const shipped = parseConfigText(readFileSync(fileURLToPath(new URL('../../fleet.yaml', import.meta.url)), 'utf8'));
    for (const f of Object.values(configuredFaults(shipped))) expect(f).toEqual(NO_FAULTS_CONFIG);
  });

  it("the shipped fleet.yaml's commented example parses when uncommented", () => {
    const text = readFileSync(fileURLToPath(new URL('../../fleet.yaml', import.meta.url)), 'utf8');
    const uncommented = text.replace(/^# faults:\n((?:# {3}.*\n)+)/m, (_m, body: string) => `faults:\n${body.replace(/^# /gm, '')}`);
    expect(uncommented).not.toBe(text);
    expect(configuredFaults(parseConfigText(uncommented)).SaoPaulo).toMatchObject({ fail: 0.05, reject: 0.01, hang: 0.02, crash: 0.02, offline: { never: 0.015, drops: 0.015 } });
  });

  it('applies the top-level block to every group; a group wins field by field', () => {
    const text = `faults:
  fail: 0.05
  reject: 0.01
  offline: 0.04
  duration: {dist: lognormal, median: 20s, p95: 90s}
  latency: {dist: uniform, min: 20ms, max: 300ms}
groups:
${GROUP('Lab', '    faults: { fail: 0.2, offline: { dropAfter: 5m }, duration: null }\n')}${GROUP('Field')}`;
    const f = configuredFaults(parseConfigText(text));
    expect(f.Field).toEqual({
      fail: 0.05,
      reject: 0.01,
      hang: 0,
      crash: 0,
      offline: { never: 0.02, drops: 0.02, dropAfter: NO_FAULTS_CONFIG.offline.dropAfter },
      duration: { dist: 'lognormal', median: 20_000, p95: 90_000 },
      latency: { dist: 'uniform', min: 20, max: 300 },
    });
    expect(f.Lab).toEqual({ ...f.Field, fail: 0.2, offline: { never: 0.02, drops: 0.02, dropAfter: { dist: 'fixed', value: 300_000 } }, duration: null });
  });

  it('takes every distribution, a bare duration meaning a fixed one', () => {
    const parse = (v: unknown): unknown => faultsPatchSchema.parse({ duration: v }).duration;
    expect(parse('20s')).toEqual({ dist: 'fixed', value: 20_000 });
    expect(parse(3)).toEqual({ dist: 'fixed', value: 3000 });
    expect(parse({ dist: 'fixed', value: '250ms' })).toEqual({ dist: 'fixed', value: 250 });
    expect(parse({ dist: 'normal', mean: '1m', stddev: '10s' })).toEqual({ dist: 'normal', mean: 60_000, stddev: 10_000 });
    expect(parse({ dist: 'uniform', min: 0, max: '1h' })).toEqual({ dist: 'uniform', min: 0, max: 3_600_000 });
  });

  it.each([
    ['faults:\n  fail: 1.5\n', 'faults.fail: a probability from 0 to 1, got 1.5', 'fail: 1.5'],
    // The line of the block's first key: where the mapping starts.
    ['faults:\n  fail: 0.6\n  hang: 0.5\n', 'faults: fail + reject + hang + crash add up to 1.1; an execution has one fate', 'fail: 0.6'],
    ['faults:\n  offline: {never: 0.6, drops: 0.6}\n', 'faults.offline: never + drops add up to 1.2', 'offline:'],
    ['faults:\n  offline: -0.1\n', 'faults.offline: a probability from 0 to 1, got -0.1', 'offline:'],
    ['faults:\n  duration: {dist: lognormal, median: 20s, p95: 10s}\n', 'faults.duration.p95: must be above median', 'duration:'],
    ['faults:\n  duration: {dist: lognormal, median: 0, p95: 10s}\n', 'faults.duration.median: must be above 0', 'duration:'],
    ['faults:\n  latency: {dist: uniform, min: 300ms, max: 20ms}\n', 'faults.latency.max: must not be below min', 'latency:'],
    ['faults:\n  latency: {dist: gamma, shape: 2}\n', 'faults.latency.dist: expected a duration such as "20s", or {dist: fixed|uniform|lognormal|normal, …}', 'latency:'],
    ['faults:\n  latency: 10 parsecs\n', 'faults.latency: expected a duration such as "20s"', 'latency:'],
    ['faults:\n  latency: {dist: uniform, min: 1ms}\n', 'faults.latency.max: is required', 'latency:'],
    ['faults:\n  fial: 0.1\n', 'faults.fial: unknown key', 'fial:'],
  ])('refuses %j, naming the path and line', (block, message, at) => {
    const text = `${block}${TWO_GROUPS}`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(message);
    expect(issues[0]?.startsWith(`line ${lineOf(text, at)}, `)).toBe(true);
  });

  it("names the group whose own faults, with the top level's, add up to more than 1", () => {
    const text = `faults:\n  fail: 0.5\ngroups:\n${GROUP('Lab')}${GROUP('Field', '    faults: { reject: 0.4, hang: 0.2 }\n')}`;
    const issues = issuesOf(text);
    expect(issues).toEqual([expect.stringContaining('groups[1].faults: fail + reject + hang + crash add up to 1.1; an execution has one fate, so they must add up to at most 1 (with the top-level faults)')]);
    expect(issues[0]?.startsWith(`line ${lineOf(text, 'reject: 0.4')}, `)).toBe(true);
  });

  it('reads back what it writes: faultsInput parses to the same faults', () => {
    const ms = fc.integer({ min: 0, max: 86_400_000 });
    const dist = fc.oneof(
      ms.map((value) => ({ dist: 'fixed' as const, value })),
      fc.tuple(ms, ms).map(([a, b]) => ({ dist: 'uniform' as const, min: Math.min(a, b), max: Math.max(a, b) })),
      fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 })).map(([m, k]) => ({ dist: 'lognormal' as const, median: m, p95: m + k })),
      fc.tuple(ms, ms).map(([mean, stddev]) => ({ dist: 'normal' as const, mean, stddev })),
    );
    const p = fc.double({ min: 0, max: 0.25, noNaN: true });
    const group = fc.record({ fail: p, reject: p, hang: p, crash: p, offline: fc.record({ never: p, drops: p, dropAfter: dist }), duration: fc.option(dist, { nil: null }), latency: fc.option(dist, { nil: null }) });
    fc.assert(
      fc.property(group, (f: GroupFaultsConfig) => {
        expect(completeFaults(faultsPatchSchema.parse(JSON.parse(JSON.stringify(faultsInput(f)))))).toEqual(f);
      }),
    );
    for (const n of [0, 1, 250, 1500, 60_000, 90_000, 3_600_000, 0.5]) expect(parseDuration(formatDuration(n))).toBe(n);
  });
});

describe('--faults and --set: key=value assignments', () => {
  it('reads comma-separated pairs, dotted keys and YAML values', () => {
    const { input, patch } = parseFaultAssignments(['fail=0.1,hang=0.02', 'latency={dist: uniform, min: 20ms, max: 300ms}, offline.never=0.01', 'duration=none'], '--faults');
    expect(input).toEqual({ fail: 0.1, hang: 0.02, latency: { dist: 'uniform', min: '20ms', max: '300ms' }, offline: { never: 0.01 }, duration: null });
    expect(patch).toEqual({ fail: 0.1, hang: 0.02, latency: { dist: 'uniform', min: 20, max: 300 }, offline: { never: 0.01 }, duration: null });
    expect(parseFaultAssignments(['duration=20s'], '--set').patch).toEqual({ duration: { dist: 'fixed', value: 20_000 } });
  });

  it('splits only at commas outside braces and quotes', () => {
    expect(splitTopLevel(`a=1, b={x: 1, y: [2, 3]},c='d,e'`)).toEqual(['a=1', 'b={x: 1, y: [2, 3]}', "c='d,e'"]);
  });

  it.each([
    [['fail'], '--set takes key=value'],
    [['=0.1'], '--set takes key=value'],
    [['fail=2'], '--set fail: a probability from 0 to 1, got 2'],
    [['fial=0.1'], '--set fial: unknown key'],
    [['latency={dist: uniform, min: 1s, max: 1ms}'], '--set latency.max: must not be below min'],
    [['offline.nevr=0.1'], '--set offline.nevr: unknown key'],
    [['duration={dist: '], '--set duration: cannot read'],
  ])('refuses %j, naming the key', (texts, message) => {
    expect(() => parseFaultAssignments(texts, '--set')).toThrow(message);
  });

  it('an override applies to every group, over what fleet.yaml says at either level', () => {
    const config = parseConfigText(`faults:\n  fail: 0.5\ngroups:\n${GROUP('Lab', '    faults: { fail: 0.3, hang: 0.1 }\n')}${GROUP('Field')}`);
    const next = applyOverrides(config, { faults: { fail: 0.05, reject: 0.01 } });
    const f = configuredFaults(next);
    expect([f.Lab?.fail, f.Lab?.reject, f.Lab?.hang]).toEqual([0.05, 0.01, 0.1]);
    expect([f.Field?.fail, f.Field?.reject, f.Field?.hang]).toEqual([0.05, 0.01, 0]);
    expect(configuredFaults(config).Lab?.fail).toBe(0.3);
  });

  describe('resolveConfig', () => {
    const dir = mkdtempSync(join(tmpdir(), 'acfleet-faults-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const args = (faults: string[]): CommonArgs => {
      const file = join(dir, 'fleet.yaml');
      writeFileSync(file, `groups:\n${GROUP('Lab', '    faults: { hang: 0.5 }\n')}`);
      return { config: file, state: ':memory:', 'log-level': 'warn', faults };
    };

    it('applies --faults', () => {
      expect(configuredFaults(resolveConfig(args(['fail=0.25']))).Lab).toMatchObject({ fail: 0.25, hang: 0.5 });
    });

    it('refuses --faults that push a group past one fate per execution, naming it', () => {
      expect(() => resolveConfig(args(['fail=0.6']))).toThrow('--faults: with fleet.yaml, groups[0].faults: fail + reject + hang + crash add up to 1.1');
    });
  });
});

describe('changing faults at run time (PUT /_acfleet/faults)', () => {
  const current = configuredFaults(parseConfigText(`faults:\n  hang: 0.1\n${TWO_GROUPS}`));

  it('sets fields on every group, or on the groups named, keeping the rest', () => {
    const all = applyFaultsChange(current, { faults: { fail: 0.2, latency: '50ms' } });
    expect(all.ok && [all.value.Lab, all.value.Field].map((f) => [f?.fail, f?.hang, f?.latency])).toEqual([
      [0.2, 0.1, { dist: 'fixed', value: 50 }],
      [0.2, 0.1, { dist: 'fixed', value: 50 }],
    ]);
    const one = applyFaultsChange(current, { groups: { Lab: { reject: 1, hang: 0 } } });
    expect(one.ok && [one.value.Lab?.reject, one.value.Lab?.hang, one.value.Field?.reject, one.value.Field?.hang]).toEqual([1, 0, 0, 0.1]);
  });

  it('resets every group, or the groups named, before the rest', () => {
    const all = applyFaultsChange(current, { reset: true, groups: { Field: { crash: 0.5 } } });
    expect(all.ok && all.value).toEqual({ Lab: NO_FAULTS_CONFIG, Field: { ...NO_FAULTS_CONFIG, crash: 0.5 } });
    const some = applyFaultsChange(current, { reset: ['Lab'] });
    expect(some.ok && some.value).toEqual({ Lab: NO_FAULTS_CONFIG, Field: current.Field });
  });

  it.each([
    [{ faults: { fail: 2 } }, 'faults.fail: a probability from 0 to 1, got 2'],
    [{ groups: { Lab: { duration: { dist: 'lognormal', median: '20s', p95: '1s' } } } }, 'groups.Lab.duration.p95: must be above median'],
    [{ groups: { Nope: { fail: 0.1 } } }, 'groups.Nope: no group is named "Nope" (the groups are Lab, Field)'],
    [{ reset: ['Lab', 'Nope'] }, 'reset[1]: no group is named "Nope"'],
    [{ groups: { Lab: { fail: 0.95 } } }, 'groups.Lab: fail + reject + hang + crash add up to 1.05'],
    [{ faults: { fail: 0.95 } }, 'faults: on group Field, fail + reject + hang + crash add up to 1.05'],
    [{ fault: { fail: 0.1 } }, 'fault: unknown key'],
    [{}, 'name what to change'],
    ['fail=1', 'expected object'],
  ])('refuses %j, naming the path', (body, message) => {
    const r = applyFaultsChange(current, body);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.join('\n')).toContain(message);
  });

  it('keeps changes across a restart, unless fleet.yaml (or --faults) changed meanwhile', () => {
    const db = openStore(':memory:');
    const config = parseConfigText(TWO_GROUPS);
    const first = new FaultSettings(db, config);
    expect(first.change({ groups: { Lab: { reject: 1 } } }).ok).toBe(true);
    expect(first.change({ faults: { fail: 3 } }).ok).toBe(false);
    expect(first.current.Lab?.reject).toBe(1);
    expect(first.current.Lab?.fail).toBe(0);

    const restarted = new FaultSettings(db, config);
    expect(restarted.current).toEqual(first.current);
    expect(restarted.document()).toEqual(toDocument(first.current));

    const edited = new FaultSettings(db, applyOverrides(config, { faults: { hang: 0.3 } }));
    expect(edited.current).toEqual({ Lab: { ...NO_FAULTS_CONFIG, hang: 0.3 }, Field: { ...NO_FAULTS_CONFIG, hang: 0.3 } });
    db.close();
  });

  it('the document reads back to the same faults', () => {
    const f = configuredFaults(parseConfigText(`faults:\n  fail: 0.05\n  duration: {dist: lognormal, median: 20s, p95: 90s}\n${TWO_GROUPS}`));
    expect(fromDocument(faultsDocumentSchema.parse(JSON.parse(JSON.stringify(toDocument(f)))))).toEqual(f);
  });

  it('acfleet faults builds the change from --group, --set and --reset', () => {
    expect(faultsChangeFor({ set: ['fail=0.2', 'hang=0.05'], reset: false })).toEqual({ faults: { fail: 0.2, hang: 0.05 } });
    expect(faultsChangeFor({ set: ['reject=1'], reset: false, group: ['Lab', 'Field'] })).toEqual({ groups: { Lab: { reject: 1 }, Field: { reject: 1 } } });
    expect(faultsChangeFor({ reset: true })).toEqual({ reset: true });
    expect(faultsChangeFor({ reset: true, group: ['Lab'], set: ['crash=0.1'] })).toEqual({ reset: ['Lab'], groups: { Lab: { crash: 0.1 } } });
  });
});
