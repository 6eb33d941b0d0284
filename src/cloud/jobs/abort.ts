/**
 * Abort criteria (spec §4.2): after each execution turns terminal, the criteria are tested in
 * order and the first one met cancels the job. Pure.
 */
import type { AbortConfig } from './job-configs.js';

export type AbortCriterion = AbortConfig['criteriaList'][number];

/**
 * Final outcomes so far: executions that are terminal and will not be retried. The emulator
 * counts a failure only once no retry follows (§4.2, unverified), so a retried failure neither
 * counts as executed nor as failed until its last attempt ends.
 */
export interface AbortTally {
  /** Terminal executions (the developer guide's denominator, §4.2). */
  executed: number;
  failed: number;
  rejected: number;
  timedOut: number;
}

export function failuresOf(tally: AbortTally, type: AbortCriterion['failureType']): number {
  switch (type) {
    case 'FAILED':
      return tally.failed;
    case 'REJECTED':
      return tally.rejected;
    case 'TIMED_OUT':
      return tally.timedOut;
    case 'ALL':
      return tally.failed + tally.rejected + tally.timedOut;
  }
}

/**
 * The first criterion met, or undefined. A criterion waits until `minNumberOfExecutedThings`
 * executions are terminal, then is met when failures of its type make up at least
 * `thresholdPercentage` of them (§10 #45–46).
 */
export function abortCriterionMet(config: AbortConfig | undefined, tally: AbortTally): AbortCriterion | undefined {
  if (!config || tally.executed === 0) return undefined;
  return config.criteriaList.find((c) => {
    if (tally.executed < c.minNumberOfExecutedThings) return false;
    // Compared in integers of 1/100 %, since thresholds have two decimals (§3.3).
    return failuresOf(tally, c.failureType) * 10_000 >= Math.round(c.thresholdPercentage * 100) * tally.executed;
  });
}

/** The reasonCode and comment a job canceled by its abort config carries (§4.2; the emulator's strings). */
export function abortReason(c: AbortCriterion, tally: AbortTally): { reasonCode: string; comment: string } {
  const pct = (failuresOf(tally, c.failureType) * 100) / tally.executed;
  return {
    reasonCode: 'ABORT_CRITERIA_MET',
    comment: `Abort criteria met: ${c.failureType} ${pct.toFixed(2)}% of ${tally.executed} executed things (threshold ${c.thresholdPercentage}%, minimum ${c.minNumberOfExecutedThings})`,
  };
}
