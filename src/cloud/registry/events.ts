import type { MembershipChange, MembershipListener } from './model.js';

/** Membership-change listeners (the jobs service follows group joins for CONTINUOUS jobs). */
export class MembershipEvents {
  private readonly listeners = new Set<MembershipListener>();

  subscribe(listener: MembershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Delivers to every listener even if one throws (one subscriber's bug must not starve the
   * others of a committed change), then rethrows the first failure.
   */
  emit(changes: MembershipChange[]): void {
    let failure: unknown;
    let failed = false;
    for (const change of changes) {
      for (const l of [...this.listeners]) {
        try {
          l(change);
        } catch (e) {
          if (!failed) {
            failed = true;
            failure = e;
          }
        }
      }
    }
    if (failed) throw failure;
  }
}
