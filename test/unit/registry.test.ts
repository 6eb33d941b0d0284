import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../src/cloud/store/sqlite.js';
import { Registry, type MembershipChange, type RegistryError } from '../../src/cloud/registry/registry.js';
import { parseRegistryArn, thingArn, thingGroupArn } from '../../src/cloud/registry/arns.js';
import type { DeviceDirectory } from '../../src/broker/directory.js';
import type { Result } from '../../src/core/result.js';
import { deviceIdentity } from '../../src/device/identity.js';
import type { GroupConfig } from '../../src/config/schema.js';

const NOW = 1_767_225_600;
const SCOPE = { region: 'us-east-1', account: '123456789012' };

function value<T>(r: Result<T, RegistryError>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function error<T>(r: Result<T, RegistryError>): RegistryError {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

let db: Db;
let reg: Registry;

beforeEach(() => {
  db = openStore(':memory:');
  reg = new Registry(db, SCOPE);
});

afterEach(() => db.close());

describe('arns', () => {
  it('formats and parses thing and thing-group ARNs', () => {
    expect(thingArn(SCOPE, 'SaoPaulo-00001')).toBe('arn:aws:iot:us-east-1:123456789012:thing/SaoPaulo-00001');
    expect(thingGroupArn(SCOPE, 'SaoPaulo')).toBe('arn:aws:iot:us-east-1:123456789012:thinggroup/SaoPaulo');
    expect(parseRegistryArn('arn:aws:iot:::thinggroup/SaoPaulo')).toEqual({ kind: 'thinggroup', name: 'SaoPaulo' });
    expect(parseRegistryArn('arn:aws:iot:us-east-1:1:thing/a:b')).toEqual({ kind: 'thing', name: 'a:b' });
    expect(parseRegistryArn('arn:aws:iot:us-east-1:1:job/x')).toBeUndefined();
  });
});

describe('createThing / describeThing', () => {
  it('creates a thing and describes it', () => {
    const created = value(reg.createThing('SaoPaulo-00001', { attributes: { model: 'Breeze 9000' } }, NOW));
    expect(created.thingName).toBe('SaoPaulo-00001');
    expect(created.thingArn).toBe('arn:aws:iot:us-east-1:123456789012:thing/SaoPaulo-00001');
    expect(created.thingId).toMatch(/^[0-9a-f-]{36}$/);
    expect(value(reg.describeThing('SaoPaulo-00001'))).toEqual({
      defaultClientId: 'SaoPaulo-00001',
      thingName: 'SaoPaulo-00001',
      thingId: created.thingId,
      thingArn: created.thingArn,
      attributes: { model: 'Breeze 9000' },
      version: 1,
    });
    expect(reg.thingCount).toBe(1);
  });

  it('includes thingTypeName only when the thing has one', () => {
    value(reg.createThing('typed', { thingTypeName: 'AirConditioner' }, NOW));
    value(reg.createThing('untyped', {}, NOW));
    expect(value(reg.describeThing('typed')).thingTypeName).toBe('AirConditioner');
    expect('thingTypeName' in value(reg.describeThing('untyped'))).toBe(false);
  });

  it('is idempotent for an identical create and returns the existing id', () => {
    const a = value(reg.createThing('t1', { attributes: { a: '1', b: '2' }, telemetryTopic: 'acfleet/x/t1' }, NOW));
    const b = value(reg.createThing('t1', { attributes: { b: '2', a: '1' } }, NOW + 5));
    expect(b).toEqual(a);
    expect(value(reg.describeThing('t1')).version).toBe(1);
  });

  it('answers 409 ResourceAlreadyExists for a different create', () => {
    value(reg.createThing('SaoPaulo-00001', { attributes: { a: '1' }, telemetryTopic: 'topic/1' }, NOW));
    const e = error(reg.createThing('SaoPaulo-00001', { attributes: { a: '2' } }, NOW));
    expect(e).toEqual({
      code: 'ResourceAlreadyExists',
      message: 'Thing SaoPaulo-00001 already exists with different attributes',
      resourceId: 'SaoPaulo-00001',
      resourceArn: thingArn(SCOPE, 'SaoPaulo-00001'),
    });
    expect(error(reg.createThing('SaoPaulo-00001', { attributes: { a: '1' }, thingTypeName: 'T' }, NOW)).code).toBe('ResourceAlreadyExists');
    expect(error(reg.createThing('SaoPaulo-00001', { attributes: { a: '1' }, telemetryTopic: 'topic/2' }, NOW)).code).toBe('ResourceAlreadyExists');
  });

  it('validates the thing name and thing type name', () => {
    expect(error(reg.createThing('', {}, NOW)).code).toBe('InvalidRequest');
    expect(error(reg.createThing('has space', {}, NOW)).code).toBe('InvalidRequest');
    expect(error(reg.createThing('x'.repeat(129), {}, NOW)).code).toBe('InvalidRequest');
    expect(error(reg.createThing('ok', { thingTypeName: 'bad/type' }, NOW)).code).toBe('InvalidRequest');
    value(reg.createThing('a:b_c-D9'.padEnd(128, 'z'), {}, NOW));
  });

  it('allows at most 3 attributes without a thing type and 50 with one', () => {
    const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));
    value(reg.createThing('three', { attributes: attrs(3) }, NOW));
    const e = error(reg.createThing('four', { attributes: attrs(4) }, NOW));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toMatch(/without a thing type is 3/);
    value(reg.createThing('fifty', { thingTypeName: 'T', attributes: attrs(50) }, NOW));
    expect(error(reg.createThing('fiftyone', { thingTypeName: 'T', attributes: attrs(51) }, NOW)).code).toBe('InvalidRequest');
  });

  it('limits attribute names to 128 and values to 800 characters', () => {
    value(reg.createThing('a', { attributes: { ['n'.repeat(128)]: 'v'.repeat(800) } }, NOW));
    expect(error(reg.createThing('b', { attributes: { ['n'.repeat(129)]: 'v' } }, NOW)).code).toBe('InvalidRequest');
    expect(error(reg.createThing('c', { attributes: { n: 'v'.repeat(801) } }, NOW)).code).toBe('InvalidRequest');
  });

  it('answers ResourceNotFound for an unknown thing', () => {
    expect(error(reg.describeThing('nope'))).toEqual({ code: 'ResourceNotFound', message: 'Thing nope cannot be found.' });
  });
});

describe('listThings', () => {
  beforeEach(() => {
    for (let i = 1; i <= 7; i++) {
      const name = `t${String(i).padStart(2, '0')}`;
      value(reg.createThing(name, { thingTypeName: i % 2 ? 'Odd' : 'Even', attributes: { color: i <= 3 ? 'red' : 'blue', ...(i === 5 ? { special: 'yes' } : {}) } }, NOW));
    }
  });

  it('lists everything sorted by name, without a token when all fit', () => {
    const r = value(reg.listThings());
    expect(r.things.map((t) => t.thingName)).toEqual(['t01', 't02', 't03', 't04', 't05', 't06', 't07']);
    expect(r.nextToken).toBeUndefined();
    expect(r.things[0]).toEqual({ thingName: 't01', thingTypeName: 'Odd', thingArn: thingArn(SCOPE, 't01'), attributes: { color: 'red' }, version: 1 });
  });

  it('paginates with an opaque token returned only while more remain', () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = value(reg.listThings({ maxResults: 3, ...(token !== undefined ? { nextToken: token } : {}) }));
      seen.push(...r.things.map((t) => t.thingName));
      token = r.nextToken;
      pages++;
    } while (token !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(['t01', 't02', 't03', 't04', 't05', 't06', 't07']);
    // Exactly a page's worth left: no token on that last page.
    const first = value(reg.listThings({ maxResults: 4 }));
    const last = value(reg.listThings({ maxResults: 3, nextToken: first.nextToken as string }));
    expect(last.things).toHaveLength(3);
    expect(last.nextToken).toBeUndefined();
  });

  it('filters by thing type and attribute', () => {
    expect(value(reg.listThings({ thingTypeName: 'Even' })).things.map((t) => t.thingName)).toEqual(['t02', 't04', 't06']);
    expect(value(reg.listThings({ attributeName: 'color', attributeValue: 'red' })).things.map((t) => t.thingName)).toEqual(['t01', 't02', 't03']);
    expect(value(reg.listThings({ attributeName: 'special' })).things.map((t) => t.thingName)).toEqual(['t05']);
    expect(value(reg.listThings({ attributeName: 'color', attributeValue: 'blue', thingTypeName: 'Odd' })).things.map((t) => t.thingName)).toEqual(['t05', 't07']);
  });

  it('rejects bad paging and filter input', () => {
    expect(error(reg.listThings({ maxResults: 0 })).code).toBe('InvalidRequest');
    expect(error(reg.listThings({ maxResults: 251 })).code).toBe('InvalidRequest');
    expect(error(reg.listThings({ nextToken: 'garbage' })).code).toBe('InvalidRequest');
    expect(error(reg.listThings({ attributeValue: 'red' })).code).toBe('InvalidRequest');
  });
});

describe('updateThing', () => {
  beforeEach(() => {
    value(reg.createThing('t', { attributes: { a: '1', b: '2' } }, NOW));
  });

  it('merges attributes with merge=true, an empty value deleting its key, and bumps the version', () => {
    value(reg.updateThing('t', { attributes: { b: '', c: '3' }, merge: true }, NOW + 1));
    const d = value(reg.describeThing('t'));
    expect(d.attributes).toEqual({ a: '1', c: '3' });
    expect(d.version).toBe(2);
  });

  it('replaces attributes without merge', () => {
    value(reg.updateThing('t', { attributes: { z: '9' } }, NOW + 1));
    expect(value(reg.describeThing('t')).attributes).toEqual({ z: '9' });
  });

  it('keeps attributes when none are given and still bumps the version', () => {
    value(reg.updateThing('t', { thingTypeName: 'T' }, NOW + 1));
    const d = value(reg.describeThing('t'));
    expect(d).toMatchObject({ attributes: { a: '1', b: '2' }, thingTypeName: 'T', version: 2 });
  });

  it('checks expectedVersion', () => {
    value(reg.updateThing('t', { attributes: { a: 'x' }, merge: true, expectedVersion: 1 }, NOW + 1));
    const e = error(reg.updateThing('t', { attributes: { a: 'y' }, merge: true, expectedVersion: 1 }, NOW + 2));
    expect(e).toEqual({ code: 'VersionConflict', message: 'The version for thing t does not match the expected version.' });
    expect(value(reg.describeThing('t'))).toMatchObject({ attributes: { a: 'x', b: '2' }, version: 2 });
  });

  it('enforces the attribute count against the resulting thing type', () => {
    expect(error(reg.updateThing('t', { attributes: { c: '3', d: '4' }, merge: true }, NOW)).code).toBe('InvalidRequest');
    value(reg.updateThing('t', { attributes: { c: '3', d: '4' }, merge: true, thingTypeName: 'T' }, NOW));
    expect(error(reg.updateThing('t', { removeThingType: true }, NOW)).code).toBe('InvalidRequest');
    value(reg.updateThing('t', { attributes: { a: '1' }, removeThingType: true }, NOW));
    const d = value(reg.describeThing('t'));
    expect(d.thingTypeName).toBeUndefined();
    expect(d.version).toBe(3);
    expect(error(reg.updateThing('t', { thingTypeName: 'T', removeThingType: true }, NOW)).code).toBe('InvalidRequest');
  });

  it('answers ResourceNotFound for an unknown thing', () => {
    expect(error(reg.updateThing('nope', { attributes: {} }, NOW)).code).toBe('ResourceNotFound');
  });
});

describe('deleteThing', () => {
  it('deletes, checks expectedVersion, and succeeds for an unknown thing', () => {
    value(reg.createThing('t', {}, NOW));
    expect(error(reg.deleteThing('t', 2)).code).toBe('VersionConflict');
    expect(reg.describeThing('t').ok).toBe(true);
    value(reg.deleteThing('t', 1));
    expect(error(reg.describeThing('t')).code).toBe('ResourceNotFound');
    expect(reg.thingCount).toBe(0);
    value(reg.deleteThing('t'));
    // The name is free again, with a new id.
    value(reg.createThing('t', { attributes: { x: '1' } }, NOW));
  });
});

describe('thing groups', () => {
  it('creates and describes a root group', () => {
    const g = value(reg.createThingGroup('SaoPaulo', { description: 'Workshop', attributes: { city: 'Sao Paulo' } }, NOW));
    expect(g.thingGroupArn).toBe(thingGroupArn(SCOPE, 'SaoPaulo'));
    expect(value(reg.describeThingGroup('SaoPaulo'))).toEqual({
      thingGroupName: 'SaoPaulo',
      thingGroupId: g.thingGroupId,
      thingGroupArn: g.thingGroupArn,
      version: 1,
      thingGroupProperties: { thingGroupDescription: 'Workshop', attributePayload: { attributes: { city: 'Sao Paulo' } } },
      thingGroupMetadata: { rootToParentThingGroups: [], creationDate: NOW },
    });
  });

  it('describes a nested group with its path from the root', () => {
    value(reg.createThingGroup('A', {}, NOW));
    value(reg.createThingGroup('B', { parentGroupName: 'A' }, NOW));
    value(reg.createThingGroup('C', { parentGroupName: 'B' }, NOW + 1));
    const d = value(reg.describeThingGroup('C'));
    expect(d.thingGroupMetadata).toEqual({
      parentGroupName: 'B',
      rootToParentThingGroups: [
        { groupName: 'A', groupArn: thingGroupArn(SCOPE, 'A') },
        { groupName: 'B', groupArn: thingGroupArn(SCOPE, 'B') },
      ],
      creationDate: NOW + 1,
    });
    expect(d.thingGroupProperties).toEqual({ attributePayload: { attributes: {} } });
  });

  it('is idempotent for an identical create and 409 for a different one', () => {
    value(reg.createThingGroup('P', {}, NOW));
    const a = value(reg.createThingGroup('G', { parentGroupName: 'P', description: 'd' }, NOW));
    expect(value(reg.createThingGroup('G', { parentGroupName: 'P', description: 'd' }, NOW + 9))).toEqual(a);
    expect(error(reg.createThingGroup('G', { parentGroupName: 'P', description: 'other' }, NOW))).toMatchObject({
      code: 'ResourceAlreadyExists',
      resourceId: 'G',
      resourceArn: thingGroupArn(SCOPE, 'G'),
    });
    expect(error(reg.createThingGroup('G', { description: 'd' }, NOW)).code).toBe('ResourceAlreadyExists');
    expect(error(reg.createThingGroup('G', { parentGroupName: 'P', description: 'd', attributes: { a: '1' } }, NOW)).code).toBe('ResourceAlreadyExists');
  });

  it('validates names and requires the parent to exist', () => {
    expect(error(reg.createThingGroup('bad name', {}, NOW)).code).toBe('InvalidRequest');
    expect(error(reg.createThingGroup('G', { parentGroupName: 'missing' }, NOW))).toEqual({ code: 'ResourceNotFound', message: 'Thing group missing cannot be found.' });
    expect(error(reg.createThingGroup('G', { description: 'x'.repeat(2029) }, NOW)).code).toBe('InvalidRequest');
    expect(error(reg.describeThingGroup('G')).code).toBe('ResourceNotFound');
  });

  it('allows at most 7 levels', () => {
    value(reg.createThingGroup('L1', {}, NOW));
    for (let i = 2; i <= 7; i++) value(reg.createThingGroup(`L${i}`, { parentGroupName: `L${i - 1}` }, NOW));
    expect(value(reg.describeThingGroup('L7')).thingGroupMetadata.rootToParentThingGroups).toHaveLength(6);
    const e = error(reg.createThingGroup('L8', { parentGroupName: 'L7' }, NOW));
    expect(e.code).toBe('InvalidRequest');
    expect(e.message).toMatch(/at most 7 levels/);
  });

  it('allows at most 100 direct children', () => {
    value(reg.createThingGroup('P', {}, NOW));
    for (let i = 0; i < 100; i++) value(reg.createThingGroup(`c${i}`, { parentGroupName: 'P' }, NOW));
    expect(error(reg.createThingGroup('c100', { parentGroupName: 'P' }, NOW)).code).toBe('LimitExceeded');
  });

  describe('listThingGroups', () => {
    beforeEach(() => {
      value(reg.createThingGroup('Brazil', {}, NOW));
      value(reg.createThingGroup('SaoPaulo', { parentGroupName: 'Brazil' }, NOW));
      value(reg.createThingGroup('SaoPaulo_Floor1', { parentGroupName: 'SaoPaulo' }, NOW));
      value(reg.createThingGroup('Rio', { parentGroupName: 'Brazil' }, NOW));
      value(reg.createThingGroup('Chile', {}, NOW));
      value(reg.createThingGroup('SaoXPaulo', {}, NOW));
    });

    const names = (r: Result<{ thingGroups: { groupName: string; groupArn: string }[] }, RegistryError>) => value(r).thingGroups.map((g) => g.groupName);

    it('lists all groups by default and root groups with recursive=false', () => {
      expect(names(reg.listThingGroups())).toEqual(['Brazil', 'Chile', 'Rio', 'SaoPaulo', 'SaoPaulo_Floor1', 'SaoXPaulo']);
      expect(names(reg.listThingGroups({ recursive: false }))).toEqual(['Brazil', 'Chile', 'SaoXPaulo']);
      expect(value(reg.listThingGroups()).thingGroups[0]).toEqual({ groupName: 'Brazil', groupArn: thingGroupArn(SCOPE, 'Brazil') });
    });

    it('lists direct children of a parent, or all descendants with recursive', () => {
      expect(names(reg.listThingGroups({ parentGroup: 'Brazil' }))).toEqual(['Rio', 'SaoPaulo']);
      expect(names(reg.listThingGroups({ parentGroup: 'Brazil', recursive: true }))).toEqual(['Rio', 'SaoPaulo', 'SaoPaulo_Floor1']);
      expect(error(reg.listThingGroups({ parentGroup: 'Peru' })).code).toBe('ResourceNotFound');
    });

    it('filters by a literal name prefix (underscore is not a wildcard)', () => {
      expect(names(reg.listThingGroups({ namePrefixFilter: 'Sao' }))).toEqual(['SaoPaulo', 'SaoPaulo_Floor1', 'SaoXPaulo']);
      expect(names(reg.listThingGroups({ namePrefixFilter: 'SaoPaulo_' }))).toEqual(['SaoPaulo_Floor1']);
      expect(names(reg.listThingGroups({ parentGroup: 'Brazil', recursive: true, namePrefixFilter: 'Sao' }))).toEqual(['SaoPaulo', 'SaoPaulo_Floor1']);
    });

    it('paginates', () => {
      const p1 = value(reg.listThingGroups({ maxResults: 4 }));
      expect(p1.thingGroups).toHaveLength(4);
      const p2 = value(reg.listThingGroups({ maxResults: 4, nextToken: p1.nextToken as string }));
      expect(p2.thingGroups.map((g) => g.groupName)).toEqual(['SaoPaulo_Floor1', 'SaoXPaulo']);
      expect(p2.nextToken).toBeUndefined();
    });
  });

  it('refuses to delete a group with children, deletes a leaf, and succeeds for an unknown group', () => {
    value(reg.createThingGroup('P', {}, NOW));
    value(reg.createThingGroup('C', { parentGroupName: 'P' }, NOW));
    expect(error(reg.deleteThingGroup('P')).code).toBe('InvalidRequest');
    expect(error(reg.deleteThingGroup('C', 5)).code).toBe('VersionConflict');
    value(reg.deleteThingGroup('C', 1));
    value(reg.deleteThingGroup('P'));
    value(reg.deleteThingGroup('P'));
    expect(value(reg.listThingGroups()).thingGroups).toEqual([]);
  });
});

describe('memberships', () => {
  let events: MembershipChange[];

  beforeEach(() => {
    events = [];
    reg.onMembershipChange((e) => events.push(e));
    value(reg.createThingGroup('Brazil', {}, NOW));
    value(reg.createThingGroup('SaoPaulo', { parentGroupName: 'Brazil' }, NOW));
    value(reg.createThingGroup('Rio', { parentGroupName: 'Brazil' }, NOW));
    for (const t of ['sp1', 'sp2', 'rio1', 'both']) value(reg.createThing(t, {}, NOW));
  });

  it('adds idempotently, lists both ways, and reports each real change once', () => {
    value(reg.addThingToThingGroup('SaoPaulo', 'sp1'));
    value(reg.addThingToThingGroup('SaoPaulo', 'sp1'));
    value(reg.addThingToThingGroup('SaoPaulo', 'sp2'));
    value(reg.addThingToThingGroup('SaoPaulo', 'both'));
    value(reg.addThingToThingGroup('Rio', 'rio1'));
    value(reg.addThingToThingGroup('Rio', 'both'));
    expect(events).toEqual([
      { group: 'SaoPaulo', thing: 'sp1', change: 'added' },
      { group: 'SaoPaulo', thing: 'sp2', change: 'added' },
      { group: 'SaoPaulo', thing: 'both', change: 'added' },
      { group: 'Rio', thing: 'rio1', change: 'added' },
      { group: 'Rio', thing: 'both', change: 'added' },
    ]);
    expect(value(reg.listThingsInThingGroup('SaoPaulo')).things).toEqual(['both', 'sp1', 'sp2']);
    expect(value(reg.listThingsInThingGroup('Brazil')).things).toEqual([]);
    expect(value(reg.listThingsInThingGroup('Brazil', { recursive: true })).things).toEqual(['both', 'rio1', 'sp1', 'sp2']);
    expect(value(reg.listThingGroupsForThing('both')).thingGroups).toEqual([
      { groupName: 'Rio', groupArn: thingGroupArn(SCOPE, 'Rio') },
      { groupName: 'SaoPaulo', groupArn: thingGroupArn(SCOPE, 'SaoPaulo') },
    ]);
    const p1 = value(reg.listThingsInThingGroup('Brazil', { recursive: true, maxResults: 3 }));
    expect(p1.things).toEqual(['both', 'rio1', 'sp1']);
    expect(value(reg.listThingsInThingGroup('Brazil', { recursive: true, maxResults: 3, nextToken: p1.nextToken as string }))).toEqual({ things: ['sp2'] });
    const g1 = value(reg.listThingGroupsForThing('both', { maxResults: 1 }));
    expect(value(reg.listThingGroupsForThing('both', { maxResults: 1, nextToken: g1.nextToken as string }))).toEqual({ thingGroups: [{ groupName: 'SaoPaulo', groupArn: thingGroupArn(SCOPE, 'SaoPaulo') }] });
  });

  it('removes, idempotently, reporting only a real removal', () => {
    value(reg.addThingToThingGroup('SaoPaulo', 'sp1'));
    value(reg.removeThingFromThingGroup('SaoPaulo', 'sp1'));
    value(reg.removeThingFromThingGroup('SaoPaulo', 'sp1'));
    expect(events).toEqual([
      { group: 'SaoPaulo', thing: 'sp1', change: 'added' },
      { group: 'SaoPaulo', thing: 'sp1', change: 'removed' },
    ]);
    expect(value(reg.listThingsInThingGroup('SaoPaulo')).things).toEqual([]);
  });

  it('answers ResourceNotFound for an unknown group or thing', () => {
    expect(error(reg.addThingToThingGroup('Nowhere', 'sp1')).code).toBe('ResourceNotFound');
    expect(error(reg.addThingToThingGroup('SaoPaulo', 'ghost')).code).toBe('ResourceNotFound');
    expect(error(reg.removeThingFromThingGroup('Nowhere', 'sp1')).code).toBe('ResourceNotFound');
    expect(error(reg.removeThingFromThingGroup('SaoPaulo', 'ghost')).code).toBe('ResourceNotFound');
    expect(error(reg.listThingsInThingGroup('Nowhere')).code).toBe('ResourceNotFound');
    expect(error(reg.listThingGroupsForThing('ghost')).code).toBe('ResourceNotFound');
    expect(events).toEqual([]);
  });

  it('limits a thing to 10 groups', () => {
    for (let i = 0; i < 10; i++) {
      value(reg.createThingGroup(`g${i}`, {}, NOW));
      value(reg.addThingToThingGroup(`g${i}`, 'sp1'));
    }
    value(reg.addThingToThingGroup('g0', 'sp1'));
    expect(error(reg.addThingToThingGroup('SaoPaulo', 'sp1')).code).toBe('LimitExceeded');
    expect(value(reg.listThingGroupsForThing('sp1')).thingGroups).toHaveLength(10);
  });

  it('cascades on thing deletion and group deletion, reporting removals', () => {
    value(reg.addThingToThingGroup('SaoPaulo', 'both'));
    value(reg.addThingToThingGroup('Rio', 'both'));
    value(reg.addThingToThingGroup('Rio', 'rio1'));
    events.length = 0;
    value(reg.deleteThing('both'));
    expect(events).toEqual([
      { group: 'Rio', thing: 'both', change: 'removed' },
      { group: 'SaoPaulo', thing: 'both', change: 'removed' },
      { thing: 'both', change: 'thingDeleted' },
    ]);
    expect(value(reg.listThingsInThingGroup('Rio')).things).toEqual(['rio1']);
    events.length = 0;
    value(reg.deleteThingGroup('Rio'));
    expect(events).toEqual([{ group: 'Rio', thing: 'rio1', change: 'removed' }]);
    expect(value(reg.listThingGroupsForThing('rio1')).thingGroups).toEqual([]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM thing_group_members').get() as { n: number }).n).toBe(0);
  });

  it('stops delivering after unsubscribe, and one failing listener does not starve another', () => {
    const other: MembershipChange[] = [];
    const off = reg.onMembershipChange(() => {
      throw new Error('listener bug');
    });
    reg.onMembershipChange((e) => other.push(e));
    expect(() => reg.addThingToThingGroup('Rio', 'rio1')).toThrow('listener bug');
    expect(other).toHaveLength(1);
    // The change was committed before delivery.
    expect(value(reg.listThingsInThingGroup('Rio')).things).toEqual(['rio1']);
    off();
    value(reg.removeThingFromThingGroup('Rio', 'rio1'));
    expect(other).toHaveLength(2);
  });
});

describe('syncFleet', () => {
  const fleet = [
    { thingName: 'SaoPaulo-00001', groupName: 'SaoPaulo', telemetryTopic: 'acfleet/sao-paulo/SaoPaulo-00001', attributes: { serialNumber: 'AC1', model: 'Breeze 9000', firmwareVersion: '1.0.4', address: '1 Rua A, São Paulo, Brazil' } },
    { thingName: 'SaoPaulo-00002', groupName: 'SaoPaulo', telemetryTopic: 'acfleet/sao-paulo/SaoPaulo-00002', attributes: { serialNumber: 'AC2', model: 'Breeze 9000', firmwareVersion: '1.0.4', address: '2 Rua A, São Paulo, Brazil' } },
    { thingName: 'Austin-00001', groupName: 'Austin', telemetryTopic: 'acfleet/austin/Austin-00001', attributes: { serialNumber: 'AC3', model: 'EcoCool Mini', firmwareVersion: '2.0.1', address: '3 Main St, Austin, USA' } },
  ];

  it('creates things with the type, groups and memberships, and adds nothing the second time', () => {
    const events: MembershipChange[] = [];
    reg.onMembershipChange((e) => events.push(e));
    expect(value(reg.syncFleet(fleet, 'AirConditioner', NOW))).toEqual({ thingsCreated: 3, groupsCreated: 2, membershipsAdded: 3, topicsUpdated: 0 });
    expect(events).toHaveLength(3);
    expect(value(reg.describeThing('SaoPaulo-00001'))).toMatchObject({ thingTypeName: 'AirConditioner', attributes: fleet[0]?.attributes, version: 1 });
    expect(value(reg.listThingsInThingGroup('SaoPaulo')).things).toEqual(['SaoPaulo-00001', 'SaoPaulo-00002']);
    expect(reg.telemetryTopicOf('Austin-00001')).toBe('acfleet/austin/Austin-00001');

    expect(value(reg.syncFleet(fleet, 'AirConditioner', NOW + 60))).toEqual({ thingsCreated: 0, groupsCreated: 0, membershipsAdded: 0, topicsUpdated: 0 });
    expect(events).toHaveLength(3);
    expect(reg.thingCount).toBe(3);
  });

  it('keeps existing things and groups, fills in missing memberships and follows a changed topic', () => {
    value(reg.createThingGroup('SaoPaulo', { description: 'operator-made' }, NOW));
    value(reg.createThing('SaoPaulo-00001', { attributes: { custom: 'x' } }, NOW));
    const counts = value(reg.syncFleet(fleet, 'AirConditioner', NOW));
    expect(counts).toEqual({ thingsCreated: 2, groupsCreated: 1, membershipsAdded: 3, topicsUpdated: 1 });
    expect(value(reg.describeThing('SaoPaulo-00001')).attributes).toEqual({ custom: 'x' });
    expect(value(reg.describeThingGroup('SaoPaulo')).thingGroupProperties.thingGroupDescription).toBe('operator-made');
    expect(reg.telemetryTopicOf('SaoPaulo-00001')).toBe('acfleet/sao-paulo/SaoPaulo-00001');

    const moved = fleet.map((t) => ({ ...t, telemetryTopic: `v2/${t.thingName}` }));
    expect(value(reg.syncFleet(moved, 'AirConditioner', NOW)).topicsUpdated).toBe(3);
    expect(reg.telemetryTopicOf('Austin-00001')).toBe('v2/Austin-00001');
  });

  it('takes the device identity attributes as they come (four of them, legal with the thing type)', () => {
    const group: GroupConfig = {
      name: 'SaoPaulo',
      count: 3,
      location: { city: 'São Paulo', country: 'BR', lat: -23.5505, lon: -46.6333, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } },
      initialState: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' },
    };
    const things = Array.from({ length: 3 }, (_, i) => {
      const id = deviceIdentity(42, group, i);
      return { thingName: id.thingName, groupName: id.groupName, telemetryTopic: `acfleet/sao-paulo/${id.thingName}`, attributes: id.attributes };
    });
    expect(value(reg.syncFleet(things, 'AirConditioner', NOW)).thingsCreated).toBe(3);
    expect(Object.keys(value(reg.describeThing('SaoPaulo-00002')).attributes).sort()).toEqual(['address', 'firmwareVersion', 'model', 'serialNumber']);
  });

  it("leaves an operator's membership changes alone on later syncs (a restart must not undo a removal)", () => {
    value(reg.syncFleet(fleet, 'AirConditioner', NOW));
    value(reg.removeThingFromThingGroup('SaoPaulo', 'SaoPaulo-00002'));
    value(reg.addThingToThingGroup('Austin', 'SaoPaulo-00001'));
    expect(value(reg.syncFleet(fleet, 'AirConditioner', NOW)).membershipsAdded).toBe(0);
    expect(value(reg.listThingsInThingGroup('SaoPaulo')).things).toEqual(['SaoPaulo-00001']);
    // A group deleted by the operator and recreated by the sync gets its fleet members back.
    value(reg.removeThingFromThingGroup('Austin', 'SaoPaulo-00001'));
    value(reg.deleteThingGroup('Austin'));
    expect(value(reg.syncFleet(fleet, 'AirConditioner', NOW))).toMatchObject({ groupsCreated: 1, membershipsAdded: 1 });
    expect(value(reg.listThingsInThingGroup('Austin')).things).toEqual(['Austin-00001']);
  });

  it('is all or nothing', () => {
    const bad = [...fleet, { thingName: 'bad name', groupName: 'X', telemetryTopic: 't', attributes: {} }];
    expect(error(reg.syncFleet(bad, 'AirConditioner', NOW)).code).toBe('InvalidRequest');
    expect(reg.thingCount).toBe(0);
    expect(reg.telemetryTopicOf('SaoPaulo-00001')).toBeUndefined();
    expect(value(reg.listThingGroups()).thingGroups).toEqual([]);
  });
});

describe('DeviceDirectory', () => {
  it('knows registered things, forgets deleted ones, and has no topic for API-created things', () => {
    const dir: DeviceDirectory = reg;
    value(reg.createThing('dev', { telemetryTopic: 'acfleet/x/dev' }, NOW));
    value(reg.createThing('api', {}, NOW));
    expect(dir.telemetryTopicOf('dev')).toBe('acfleet/x/dev');
    expect(dir.telemetryTopicOf('api')).toBeUndefined();
    expect(dir.telemetryTopicOf('unknown')).toBeUndefined();
    value(reg.deleteThing('dev'));
    expect(dir.telemetryTopicOf('dev')).toBeUndefined();
    expect(reg.thingCount).toBe(1);
  });
});

describe('persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'acfleet-registry-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has everything after close and reopen', () => {
    const path = join(dir, 'state.db');
    const db1 = openStore(path);
    const r1 = new Registry(db1, SCOPE);
    const t = value(r1.createThing('dev', { thingTypeName: 'T', attributes: { a: '1' }, telemetryTopic: 'acfleet/x/dev' }, NOW));
    value(r1.updateThing('dev', { attributes: { b: '2' }, merge: true }, NOW + 1));
    value(r1.createThingGroup('P', { description: 'parent' }, NOW));
    const g = value(r1.createThingGroup('C', { parentGroupName: 'P', attributes: { k: 'v' } }, NOW + 2));
    value(r1.addThingToThingGroup('C', 'dev'));
    db1.close();

    const db2 = openStore(path);
    try {
      const r2 = new Registry(db2, SCOPE);
      expect(r2.thingCount).toBe(1);
      expect(r2.telemetryTopicOf('dev')).toBe('acfleet/x/dev');
      expect(value(r2.describeThing('dev'))).toEqual({
        defaultClientId: 'dev',
        thingName: 'dev',
        thingId: t.thingId,
        thingArn: t.thingArn,
        thingTypeName: 'T',
        attributes: { a: '1', b: '2' },
        version: 2,
      });
      expect(value(r2.describeThingGroup('C'))).toMatchObject({
        thingGroupId: g.thingGroupId,
        thingGroupProperties: { attributePayload: { attributes: { k: 'v' } } },
        thingGroupMetadata: { parentGroupName: 'P', creationDate: NOW + 2 },
      });
      expect(value(r2.listThingsInThingGroup('P', { recursive: true })).things).toEqual(['dev']);
    } finally {
      db2.close();
    }
  });
});
