/**
 * schedulingConfig: start and end times (UTC, minute precision, on the cloud's simulated clock),
 * what happens at the end, and maintenance windows (cron expression + duration).
 */
import { simNow, useSimClock } from '../sim-clock.js';
import { RemoveButton } from './criteria-sections.js';
import { ErrorsFor, Field, Section, Select, TextInput } from './fields.js';
import { END_BEHAVIORS, newMaintenanceWindowRow, removeAt, replaceAt, type CreateJobForm, type EndBehavior, type MaintenanceWindowRow } from './form-state.js';

interface Props {
  form: CreateJobForm;
  update(patch: Partial<CreateJobForm>): void;
  open: boolean;
  onToggle(open: boolean): void;
}

const END_OPTIONS: { value: EndBehavior | ''; label: string }[] = [{ value: '', label: 'default (STOP_ROLLOUT)' }, ...END_BEHAVIORS.map((b) => ({ value: b, label: b }))];

/** A datetime-local value (UTC) `minutes` after `ms`. */
const utcInput = (ms: number, minutes: number): string => new Date(Math.ceil(ms / 60_000) * 60_000 + minutes * 60_000).toISOString().slice(0, 16);

export function SchedulingSection({ form, update, open, onToggle }: Props) {
  const rows = form.maintenanceWindows;
  const set = (i: number, row: MaintenanceWindowRow) => update({ maintenanceWindows: replaceAt(rows, i, row) });
  const parts = [form.scheduleStart ? `starts ${form.scheduleStart.replace('T', ' ')} UTC` : 'starts now', form.scheduleEnd ? `ends ${form.scheduleEnd.replace('T', ' ')} UTC` : ''];
  if (rows.length > 0) parts.push(`${rows.length} maintenance window${rows.length === 1 ? '' : 's'}`);
  return (
    <Section id="scheduling" title="Scheduling" summary={parts.filter((p) => p !== '').join(' · ')} open={open} onToggle={onToggle} member="schedulingConfig">
      {open && <SimNow />}
      <div class="cj-grid cj-schedule-grid">
        <Field name="schedulingConfig.startTime" label="Start time (UTC)" showErrors={false}>
          <TimeInput name="schedulingConfig.startTime" value={form.scheduleStart} onValue={(v) => update({ scheduleStart: v })} suggest={(now) => utcInput(now, 60)} suggestLabel="in 1 h" />
        </Field>
        <Field name="schedulingConfig.endTime" label="End time (UTC)" showErrors={false}>
          <TimeInput
            name="schedulingConfig.endTime"
            value={form.scheduleEnd}
            onValue={(v) => update({ scheduleEnd: v })}
            suggest={(now) => (form.scheduleStart ? utcInput(Date.parse(`${form.scheduleStart}:00Z`), 60) : utcInput(now, 120))}
            suggestLabel={form.scheduleStart ? 'start + 1 h' : 'in 2 h'}
          />
        </Field>
        <Field name="schedulingConfig.endBehavior" label="At the end time" showErrors={false}>
          <Select<EndBehavior | ''> name="schedulingConfig.endBehavior" value={form.endBehavior} options={END_OPTIONS} onValue={(v) => update({ endBehavior: v })} />
        </Field>
      </div>
      <ErrorsFor names={['schedulingConfig.startTime', 'schedulingConfig.endTime', 'schedulingConfig.endBehavior']} />
      <div class="cj-subhead">
        <span class="label">Maintenance windows</span>
        <span class="hint">
          Releases only inside the windows. <code>cron(minutes hours day-of-month month day-of-week year)</code>, e.g. <code>cron(0 22 ? * MON-FRI *)</code> = 22:00 UTC on weekdays.
        </span>
      </div>
      {rows.length > 0 && (
        <div class="cj-rows-head cj-window-cols" aria-hidden="true">
          <span>Start (cron expression, UTC)</span>
          <span>Duration (minutes)</span>
          <span />
        </div>
      )}
      {rows.map((row, i) => {
        const base = `schedulingConfig.maintenanceWindows[${i}]`;
        return (
          <div key={i} class="cj-row-block" data-testid="maintenance-window-row">
            <div class="cj-rows cj-window-cols">
              <Field name={`${base}.startTime`} class="cj-bare" showErrors={false}>
                <TextInput name={`${base}.startTime`} class="code" value={row.startTime} ariaLabel="Window start (cron expression)" onValue={(v) => set(i, { ...row, startTime: v })} />
              </Field>
              <Field name={`${base}.durationInMinutes`} class="cj-bare" showErrors={false}>
                <TextInput numeric name={`${base}.durationInMinutes`} value={row.durationInMinutes} placeholder="1–1430" ariaLabel="Window duration in minutes" onValue={(v) => set(i, { ...row, durationInMinutes: v })} />
              </Field>
              <RemoveButton label={`Remove maintenance window ${i + 1}`} onClick={() => update({ maintenanceWindows: removeAt(rows, i) })} />
            </div>
            <ErrorsFor names={[base, `${base}.startTime`, `${base}.durationInMinutes`]} />
          </div>
        );
      })}
      <button type="button" class="btn btn-small" data-testid="add-maintenance-window" onClick={() => update({ maintenanceWindows: [...rows, newMaintenanceWindowRow()] })}>
        + Add maintenance window
      </button>
    </Section>
  );
}

/** The cloud's clock, ticking: schedule times are judged against it (start ≥ 30 min ahead). */
function SimNow() {
  const clock = useSimClock();
  return (
    <p class="hint cj-note">
      Simulated time now: <strong>{new Date(clock.now).toISOString().slice(0, 16).replace('T', ' ')} UTC</strong>
      {clock.speed !== 1 ? ` (×${clock.speed})` : ''}. A start time must be at least 30 minutes ahead of it, as on AWS.
    </p>
  );
}

interface TimeInputProps {
  name: string;
  value: string;
  onValue(v: string): void;
  suggest(nowMs: number): string;
  suggestLabel: string;
}

function TimeInput({ name, value, onValue, suggest, suggestLabel }: TimeInputProps) {
  return (
    <div class="cj-time">
      <TextInput type="datetime-local" name={name} value={value} onValue={onValue} />
      <button type="button" class="btn btn-small" title="fill in, on the simulated clock" onClick={() => onValue(suggest(simNow()))}>
        {suggestLabel}
      </button>
      {value !== '' && (
        <button type="button" class="btn btn-small" aria-label={`Clear ${name}`} onClick={() => onValue('')}>
          ×
        </button>
      )}
    </div>
  );
}
