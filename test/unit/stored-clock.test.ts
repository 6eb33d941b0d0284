import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { continueEpoch, storedClockEpoch } from '../../src/cli/stored-clock.js';

describe('the simulation clock across restarts (issue 5 §7)', () => {
  it('keeps the stored epoch at the same speed, so simulated time runs on through the restart', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'acfleet-clock-')), 'state.db');
    const first = storedClockEpoch(path, 60, 1_000_000);
    expect(first).toEqual({ wallMs: 1_000_000, simMs: 1_000_000, speed: 60 });
    expect(storedClockEpoch(path, 60, 2_000_000)).toEqual(first);
  });

  it('continues the timeline at a new speed from where the old one stands', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'acfleet-clock-')), 'state.db');
    storedClockEpoch(path, 60, 1_000_000);
    // 10 s of wall time at 60× = 600 s simulated; from there on at 1×.
    expect(storedClockEpoch(path, 1, 1_010_000)).toEqual({ wallMs: 1_010_000, simMs: 1_600_000, speed: 1 });
    expect(storedClockEpoch(path, 1, 1_020_000)).toEqual({ wallMs: 1_010_000, simMs: 1_600_000, speed: 1 });
  });

  it('starts a fresh timeline for a new store', () => {
    expect(continueEpoch(undefined, 5, 42)).toEqual({ wallMs: 42, simMs: 42, speed: 5 });
  });
});
