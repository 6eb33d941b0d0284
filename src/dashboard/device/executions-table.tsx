/** The thing's job executions, newest first: status, how it got there, and what the device said. */
import type { DeviceExecution, StatusStep } from '../../api/dashboard-device-types.js';
import { href } from '../router.js';
import { formatTime, StatusBadge } from '../ui.js';

export function ExecutionsTable({ executions }: { executions: DeviceExecution[] }) {
  if (executions.length === 0) {
    return (
      <p class="muted" data-testid="device-executions" data-rows="0">
        No job executions on this device yet. <a href={href.createJob()}>Create a job</a> targeting it or its group.
      </p>
    );
  }
  return (
    <table class="data executions" data-testid="device-executions" data-rows={executions.length}>
      <thead>
        <tr>
          <th>Job</th>
          <th class="num" title="executionNumber">Exec #</th>
          <th class="num" title="retryAttempt">Retry</th>
          <th>Status</th>
          <th>Status history (simulated UTC)</th>
          <th>Status details</th>
          <th class="num" title="versionNumber">Version</th>
        </tr>
      </thead>
      <tbody>
        {executions.map((e) => (
          <tr key={`${e.jobId}#${e.executionNumber}`} data-job={e.jobId} data-status={e.status}>
            <td>
              <a href={href.job(e.jobId)} class="job-link" title={e.jobId}>
                {e.jobId}
              </a>
            </td>
            <td class="num">{e.executionNumber}</td>
            <td class="num">{e.retryAttempt}</td>
            <td>
              <StatusBadge status={e.status} />
            </td>
            <td>
              <History steps={e.statusHistory} />
            </td>
            <td>
              <Details details={e.statusDetails} />
            </td>
            <td class="num">{e.versionNumber}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function History({ steps }: { steps: StatusStep[] }) {
  return (
    <ol class="status-history">
      {steps.map((s, i) => {
        const previous = steps[i - 1];
        return (
          <li key={s.status}>
            <span class="status-history-status">{s.status}</span>
            <span class="nowrap" title={formatTime(s.at)}>
              {formatTime(s.at).slice(11)}
            </span>
            {previous && <span class="muted small"> +{duration(s.at - previous.at)}</span>}
          </li>
        );
      })}
    </ol>
  );
}

function Details({ details }: { details: Record<string, string> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="status-details">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Seconds → "45s", "3m 05s", "2h 04m". */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
