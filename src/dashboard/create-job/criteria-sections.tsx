/** abortConfig, timeoutConfig and jobExecutionsRetryConfig: rows of criteria, added and removed. */
import { ErrorsFor, Field, Section, Select, TextInput } from './fields.js';
import {
  ABORT_FAILURE_TYPES,
  RETRY_FAILURE_TYPES,
  newAbortRow,
  newRetryRow,
  removeAt,
  replaceAt,
  type AbortFailureType,
  type AbortRow,
  type CreateJobForm,
  type RetryFailureType,
  type RetryRow,
} from './form-state.js';

interface Props {
  form: CreateJobForm;
  update(patch: Partial<CreateJobForm>): void;
  open: boolean;
  onToggle(open: boolean): void;
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

export function AbortSection({ form, update, open, onToggle }: Props) {
  const rows = form.abortCriteria;
  const set = (i: number, row: AbortRow) => update({ abortCriteria: replaceAt(rows, i, row) });
  return (
    <Section id="abort" title="Abort" summary={rows.length === 0 ? 'never aborts' : `${rows.length} ${rows.length === 1 ? 'criterion' : 'criteria'}`} open={open} onToggle={onToggle} member="abortConfig">
      <p class="hint cj-note">Cancel the job once enough executions have ended and too many of them failed.</p>
      {rows.length > 0 && (
        <div class="cj-rows-head cj-abort-cols" aria-hidden="true">
          <span>Failure type</span>
          <span>Action</span>
          <span>Threshold %</span>
          <span>Min. executed things</span>
          <span />
        </div>
      )}
      {rows.map((row, i) => {
        const base = `abortConfig.criteriaList[${i}]`;
        const names = [base, `${base}.failureType`, `${base}.action`, `${base}.thresholdPercentage`, `${base}.minNumberOfExecutedThings`];
        return (
          <div key={i} class="cj-row-block" data-testid="abort-row">
            <div class="cj-rows cj-abort-cols">
              <Field name={`${base}.failureType`} class="cj-bare" showErrors={false}>
                <Select<AbortFailureType> name={`${base}.failureType`} value={row.failureType} options={ABORT_FAILURE_TYPES} ariaLabel="Failure type" onValue={(v) => set(i, { ...row, failureType: v })} />
              </Field>
              <Field name={`${base}.action`} class="cj-bare" showErrors={false}>
                <Select<'CANCEL'> name={`${base}.action`} value={row.action} options={['CANCEL']} ariaLabel="Action" onValue={(v) => set(i, { ...row, action: v })} />
              </Field>
              <Field name={`${base}.thresholdPercentage`} class="cj-bare" showErrors={false}>
                <TextInput numeric name={`${base}.thresholdPercentage`} value={row.thresholdPercentage} placeholder="0–100" ariaLabel="Threshold percentage" onValue={(v) => set(i, { ...row, thresholdPercentage: v })} />
              </Field>
              <Field name={`${base}.minNumberOfExecutedThings`} class="cj-bare" showErrors={false}>
                <TextInput numeric name={`${base}.minNumberOfExecutedThings`} value={row.minNumberOfExecutedThings} placeholder="≥ 1" ariaLabel="Minimum number of executed things" onValue={(v) => set(i, { ...row, minNumberOfExecutedThings: v })} />
              </Field>
              <RemoveButton label={`Remove abort criterion ${i + 1}`} onClick={() => update({ abortCriteria: removeAt(rows, i) })} />
            </div>
            <ErrorsFor names={names} />
          </div>
        );
      })}
      <button type="button" class="btn btn-small" data-testid="add-abort-criterion" onClick={() => update({ abortCriteria: [...rows, newAbortRow()] })}>
        + Add abort criterion
      </button>
    </Section>
  );
}

export function TimeoutsSection({ form, update, open, onToggle }: Props) {
  const rows = form.retryCriteria;
  const set = (i: number, row: RetryRow) => update({ retryCriteria: replaceAt(rows, i, row) });
  const timeout = form.inProgressTimeoutInMinutes.trim();
  const summary = [timeout === '' ? 'no timeout' : `times out after ${timeout} min`, rows.length === 0 ? 'no retries' : plural(rows.length, 'retry rule')].join(' · ');
  return (
    <Section id="timeouts" title="Timeouts and retries" summary={summary} open={open} onToggle={onToggle} member="timeoutConfig">
      <Field name="timeoutConfig.inProgressTimeoutInMinutes" label="In-progress timeout (minutes)" class="cj-inline-field" hint="An IN_PROGRESS execution still running this long after it started becomes TIMED_OUT.">
        <TextInput numeric name="timeoutConfig.inProgressTimeoutInMinutes" value={form.inProgressTimeoutInMinutes} placeholder="1–10080" onValue={(v) => update({ inProgressTimeoutInMinutes: v })} />
      </Field>
      <div class="cj-subhead">
        <span class="label">Retries</span>
        <span class="hint">A FAILED or TIMED_OUT execution is queued again while its failure type's retries last.</span>
      </div>
      <ErrorsFor names={['jobExecutionsRetryConfig']} />
      {rows.length > 0 && (
        <div class="cj-rows-head cj-retry-cols" aria-hidden="true">
          <span>Failure type</span>
          <span>Number of retries</span>
          <span />
        </div>
      )}
      {rows.map((row, i) => {
        const base = `jobExecutionsRetryConfig.criteriaList[${i}]`;
        return (
          <div key={i} class="cj-row-block" data-testid="retry-row">
            <div class="cj-rows cj-retry-cols">
              <Field name={`${base}.failureType`} class="cj-bare" showErrors={false}>
                <Select<RetryFailureType> name={`${base}.failureType`} value={row.failureType} options={RETRY_FAILURE_TYPES} ariaLabel="Failure type" onValue={(v) => set(i, { ...row, failureType: v })} />
              </Field>
              <Field name={`${base}.numberOfRetries`} class="cj-bare" showErrors={false}>
                <TextInput numeric name={`${base}.numberOfRetries`} value={row.numberOfRetries} placeholder="0–10" ariaLabel="Number of retries" onValue={(v) => set(i, { ...row, numberOfRetries: v })} />
              </Field>
              <RemoveButton label={`Remove retry rule ${i + 1}`} onClick={() => update({ retryCriteria: removeAt(rows, i) })} />
            </div>
            <ErrorsFor names={[base, `${base}.failureType`, `${base}.numberOfRetries`]} />
          </div>
        );
      })}
      <button type="button" class="btn btn-small" data-testid="add-retry-criterion" onClick={() => update({ retryCriteria: [...rows, newRetryRow()] })}>
        + Add retry rule
      </button>
    </Section>
  );
}

export function RemoveButton({ label, onClick }: { label: string; onClick(): void }) {
  return (
    <button type="button" class="btn btn-small btn-danger cj-remove" aria-label={label} title={label} onClick={onClick}>
      Remove
    </button>
  );
}
