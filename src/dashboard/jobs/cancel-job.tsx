/**
 * Cancel, through AWS's CancelJob (`PUT /jobs/{jobId}/cancel`), after a confirm dialog: an
 * optional reasonCode and comment, and force (also stop executions already in progress). AWS's
 * error is shown in the dialog when the cancel is refused.
 */
import { useRef, useState } from 'preact/hooks';
import { call, seg, type AwsError } from '../api.js';
import type { DescribedJob } from './aws-job-types.js';

export function CancelJob({ job, onCanceled }: { job: DescribedJob; onCanceled: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const alreadyCanceled = job.status === 'CANCELED';
  const [reasonCode, setReasonCode] = useState('');
  const [comment, setComment] = useState('');
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AwsError | undefined>(undefined);

  const finished = job.status === 'COMPLETED' || job.status === 'DELETION_IN_PROGRESS' || (alreadyCanceled && job.forceCanceled);
  const open = (): void => {
    setError(undefined);
    setForce(alreadyCanceled);
    dialog.current?.showModal();
  };
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = { ...(reasonCode.trim() ? { reasonCode: reasonCode.trim() } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}) };
    const r = await call('PUT', `/jobs/${seg(job.jobId)}/cancel${force ? '?force=true' : ''}`, body);
    setBusy(false);
    if (!r.ok) return setError(r.error);
    dialog.current?.close();
    onCanceled();
  };

  return (
    <>
      <button
        type="button"
        class="btn btn-danger"
        data-testid="cancel-job"
        onClick={open}
        disabled={finished}
        title={finished ? `The job is ${job.status.toLowerCase().replace(/_/g, ' ')}${job.forceCanceled ? ' (forced)' : ''}: nothing to cancel.` : undefined}
      >
        {alreadyCanceled ? 'Force cancel…' : 'Cancel job…'}
      </button>
      <dialog ref={dialog} class="cancel-dialog" data-testid="cancel-dialog">
        <form method="dialog" onSubmit={(e) => void submit(e)}>
          <h2>Cancel job {job.jobId}?</h2>
          <p class="muted">
            The rollout stops: targets not yet released never get the job, and queued executions are canceled.
            {alreadyCanceled ? ' The job is already canceled; forcing also stops the executions still in progress.' : ''}
          </p>
          <div class="field">
            <label for="cancel-reason">Reason code (optional)</label>
            <input id="cancel-reason" value={reasonCode} maxLength={128} placeholder="e.g. BAD_FIRMWARE" onInput={(e) => setReasonCode(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="cancel-comment">Comment (optional)</label>
            <input id="cancel-comment" value={comment} maxLength={2028} placeholder="why it was canceled" onInput={(e) => setComment(e.currentTarget.value)} />
          </div>
          <label class="cancel-force">
            <input type="checkbox" checked={force} data-testid="cancel-force" onChange={(e) => setForce(e.currentTarget.checked)} />
            <span>
              <strong>Force</strong>: also cancel executions already in progress (devices may be left half-way).
            </span>
          </label>
          {error && (
            <p class="form-error" role="alert" data-testid="cancel-error">
              <strong>{error.type}</strong>: {error.message}
            </p>
          )}
          <div class="cancel-actions">
            <button type="button" class="btn" onClick={() => dialog.current?.close()}>
              Keep running
            </button>
            <button type="submit" class="btn btn-danger-solid" disabled={busy} data-testid="cancel-confirm">
              {busy ? 'Canceling…' : force ? 'Force cancel' : 'Cancel job'}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
