/** jobExecutionsRolloutConfig: all at once, a constant rate, or an exponential rate. */
import { ErrorsFor, Field, Panel, Select, TextInput } from './fields.js';
import type { CreateJobForm, RateIncreaseCriterion, RolloutMode } from './form-state.js';

const ROLLOUT = 'jobExecutionsRolloutConfig';
const RATE = `${ROLLOUT}.exponentialRate`;

const MODES: { value: RolloutMode; label: string }[] = [
  { value: 'none', label: 'None (all at once)' },
  { value: 'constant', label: 'Constant rate' },
  { value: 'exponential', label: 'Exponential rate' },
];

const CRITERIA: { value: RateIncreaseCriterion; label: string }[] = [
  { value: 'numberOfNotifiedThings', label: 'notified things' },
  { value: 'numberOfSucceededThings', label: 'succeeded things' },
];

interface Props {
  form: CreateJobForm;
  update(patch: Partial<CreateJobForm>): void;
}

export function RolloutSection({ form, update }: Props) {
  const exponential = form.rolloutMode === 'exponential';
  const criterion = `${RATE}.rateIncreaseCriteria.${form.rateIncreaseCriterion}`;
  const rowFields = [`${ROLLOUT}.maximumPerMinute`, ...(exponential ? [`${RATE}.baseRatePerMinute`, `${RATE}.incrementFactor`, `${RATE}.rateIncreaseCriteria`, criterion, RATE] : [])];
  return (
    <Panel title="Rollout" member={ROLLOUT}>
      <div class="cj-grid cj-two">
        <Field name="rolloutMode" label="Rollout">
          <Select<RolloutMode> name="rolloutMode" value={form.rolloutMode} options={MODES} onValue={(v) => update({ rolloutMode: v })} />
        </Field>
        {form.rolloutMode !== 'none' && (
          <Field name={`${ROLLOUT}.maximumPerMinute`} label="Maximum per minute" showErrors={false}>
            <TextInput numeric name={`${ROLLOUT}.maximumPerMinute`} value={form.maximumPerMinute} placeholder={exponential ? '1000' : '1–1000'} onValue={(v) => update({ maximumPerMinute: v })} />
          </Field>
        )}
        {exponential && (
          <>
            <Field name={`${RATE}.baseRatePerMinute`} label="Base rate per minute" showErrors={false}>
              <TextInput numeric name={`${RATE}.baseRatePerMinute`} value={form.baseRatePerMinute} placeholder="1–1000" onValue={(v) => update({ baseRatePerMinute: v })} />
            </Field>
            <Field name={`${RATE}.incrementFactor`} label="Increment factor" showErrors={false}>
              <TextInput numeric name={`${RATE}.incrementFactor`} value={form.incrementFactor} placeholder="1.1–5" onValue={(v) => update({ incrementFactor: v })} />
            </Field>
          </>
        )}
      </div>
      {exponential && (
        <Field name={`${RATE}.rateIncreaseCriteria`} class="cj-sentence" showErrors={false}>
          <span>Raise the rate after every</span>
          <Field name={criterion} class="cj-bare" showErrors={false}>
            <TextInput numeric name={criterion} class="cj-narrow" value={form.rateIncreaseThreshold} ariaLabel="Rate increase threshold" onValue={(v) => update({ rateIncreaseThreshold: v })} />
          </Field>
          <Select<RateIncreaseCriterion>
            name="rateIncreaseCriterion"
            value={form.rateIncreaseCriterion}
            options={CRITERIA}
            ariaLabel="Rate increase criterion"
            onValue={(v) => update({ rateIncreaseCriterion: v })}
          />
        </Field>
      )}
      <ErrorsFor names={rowFields} />
      <p class="hint cj-note">{explain(form)}</p>
    </Panel>
  );
}

function explain(form: CreateJobForm): string {
  const max = form.maximumPerMinute.trim();
  switch (form.rolloutMode) {
    case 'none':
      return 'Every target is notified at once.';
    case 'constant': {
      const n = Number(max);
      if (max === '' || !Number.isFinite(n) || n <= 0) return 'Targets are released evenly, at most this many a minute.';
      return `Targets are released evenly: ${max} a minute, one every ${Number((60 / n).toFixed(2))} s of simulated time.`;
    }
    case 'exponential':
      return 'Starts at the base rate, multiplied by the factor each time the criterion is met, never above the maximum (default 1000).';
  }
}
