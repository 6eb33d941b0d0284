/** The job's executions, retries included, a page at a time (ListJobExecutionsForJob), polled while shown. */
import { useEffect, useState } from 'preact/hooks';
import { call, seg } from '../api.js';
import { href } from '../router.js';
import { formatTime, StatusBadge } from '../ui.js';
import { thingOfArn, type JobExecutionsPage } from './aws-job-types.js';
import { usePolled } from '../use-polled.js';

const PAGE_SIZE = 50;

/** `changedAt` changes with the job (a cancel, say): the table asks again at once instead of lagging a poll behind. */
export function ExecutionsTable({ jobId, changedAt }: { jobId: string; changedAt: string }) {
  // Tokens of the pages before the one shown: "previous" pops one.
  const [tokens, setTokens] = useState<string[]>([]);
  const token = tokens[tokens.length - 1];
  const query = `maxResults=${PAGE_SIZE}${token !== undefined ? `&nextToken=${encodeURIComponent(token)}` : ''}`;
  const page = usePolled(`${jobId}?${query}`, () => call<JobExecutionsPage>('GET', `/jobs/${seg(jobId)}/things?${query}`));
  useEffect(() => page.refresh(), [changedAt]);
  const rows = page.data?.executionSummaries ?? [];
  const next = page.data?.nextToken;

  return (
    <div data-testid="job-executions">
      {page.error && <p class="form-error">{page.error.type}: {page.error.message}</p>}
      {page.data && rows.length === 0 && tokens.length === 0 ? (
        <p class="muted">No executions yet: the rollout has not released a target yet.</p>
      ) : (
        <table class="data executions-table">
          <thead>
            <tr>
              <th>thing</th>
              <th>status</th>
              <th class="num">execution #</th>
              <th class="num">retry</th>
              <th>queued</th>
              <th>started</th>
              <th>last update</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const thing = thingOfArn(r.thingArn);
              const e = r.jobExecutionSummary;
              return (
                <tr key={`${thing}#${e.executionNumber}`} data-testid="job-execution-row" data-thing={thing}>
                  <td>
                    <a href={href.device(thing)}>{thing}</a>
                  </td>
                  <td>
                    <StatusBadge status={e.status} />
                  </td>
                  <td class="num">{e.executionNumber}</td>
                  <td class="num">{e.retryAttempt ?? 0}</td>
                  <td class="nowrap small">{formatTime(e.queuedAt)}</td>
                  <td class="nowrap small">{formatTime(e.startedAt)}</td>
                  <td class="nowrap small">{formatTime(e.lastUpdatedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {(tokens.length > 0 || next !== undefined) && (
        <div class="pager">
          <button type="button" class="btn btn-small" disabled={tokens.length === 0} onClick={() => setTokens(tokens.slice(0, -1))}>
            ‹ Previous
          </button>
          <span class="muted small">page {tokens.length + 1}</span>
          <button type="button" class="btn btn-small" disabled={next === undefined} onClick={() => next !== undefined && setTokens([...tokens, next])}>
            Next ›
          </button>
        </div>
      )}
    </div>
  );
}
