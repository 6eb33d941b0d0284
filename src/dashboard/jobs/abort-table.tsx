/**
 * The job's abort criteria and where each stands: failures of its type as a share of the final
 * outcomes, against its threshold (a marker on the bar), and how far the executed count is from
 * the minimum that arms it. The verdict is also written out, never only coloured.
 */
import type { AbortStanding } from '../../api/dashboard-jobs-types.js';

const pct = (n: number): string => `${Number.isInteger(n) ? n : n.toFixed(2)}%`;

function verdict(c: AbortStanding): { text: string; tone: 'met' | 'armed' | 'waiting' } {
  if (c.met) return { text: 'met: cancels the job', tone: 'met' };
  if (c.executed < c.minNumberOfExecutedThings) {
    const more = c.minNumberOfExecutedThings - c.executed;
    return { text: `waiting for ${more} more executed`, tone: 'waiting' };
  }
  return { text: 'below threshold', tone: 'armed' };
}

export function AbortTable({ criteria, abortedByCriteria }: { criteria: readonly AbortStanding[]; abortedByCriteria: boolean }) {
  if (criteria.length === 0) return <p class="muted" data-testid="abort-criteria">No abort criteria: the job runs to the end whatever fails.</p>;
  return (
    <div>
      {abortedByCriteria && <p class="abort-note">The job was canceled by its abort criteria (reasonCode ABORT_CRITERIA_MET).</p>}
      <table class="data abort-table" data-testid="abort-criteria">
        <thead>
          <tr>
            <th>failure type</th>
            <th class="num">failures</th>
            <th class="num">executed</th>
            <th>share of failures vs threshold</th>
            <th>standing</th>
          </tr>
        </thead>
        <tbody>
          {criteria.map((c, i) => {
            const v = verdict(c);
            return (
              <tr key={i} data-failure-type={c.failureType} data-met={String(c.met)}>
                <td>
                  <strong>{c.failureType}</strong>
                  <div class="small muted">
                    {c.action} at ≥ {pct(c.thresholdPercentage)}
                  </div>
                </td>
                <td class="num">{c.failures}</td>
                <td class="num">
                  {c.executed}
                  <div class="small muted">min {c.minNumberOfExecutedThings}</div>
                </td>
                <td class="abort-meter-cell">
                  <div class="abort-meter" role="img" aria-label={`${pct(c.percentage)} of ${c.executed} executed, threshold ${pct(c.thresholdPercentage)}`}>
                    <span class={`abort-fill ${v.tone}`} style={{ width: `${Math.min(100, c.percentage)}%` }} />
                    <span class="abort-threshold" style={{ left: `${Math.min(100, c.thresholdPercentage)}%` }} title={`threshold ${pct(c.thresholdPercentage)}`} />
                  </div>
                  <div class="small">
                    <strong>{pct(Number(c.percentage.toFixed(2)))}</strong> <span class="muted">· threshold {pct(c.thresholdPercentage)}</span>
                  </div>
                </td>
                <td>
                  <span class={`abort-verdict ${v.tone}`}>{v.text}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
