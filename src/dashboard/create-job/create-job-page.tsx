/**
 * Create job (route #/create-job): a form like the AWS console's that sends CreateJob
 * (`PUT /jobs/{jobId}`) to the same AWS IoT REST API the CLI uses. Nothing is range-checked in the
 * browser: AWS's (the server's) validation errors are shown next to the fields they name, their
 * collapsed sections opened and the first one scrolled into view. On success, the job's page.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call, seg } from '../api.js';
import { href, navigate } from '../router.js';
import './create-job.css';
import { AbortSection, TimeoutsSection } from './criteria-sections.js';
import { DocumentSection } from './document-section.js';
import { mapAwsError, resolveField, sectionOf, type FieldError, type SectionId } from './field-errors.js';
import { ErrorsContext, Field, Panel, TextInput, type ErrorsOnScreen } from './fields.js';
import { emptyForm, fieldNames, type CreateJobForm } from './form-state.js';
import { buildCreateJobRequest } from './job-request.js';
import { WORKSHOP_GROUP, applyPreset, type PresetId } from './presets.js';
import { useCustomTemplates, useManagedTemplates, useTemplateDetail, useThingGroups, useThings } from './registry-data.js';
import { RequestPreview } from './request-preview.js';
import { RolloutSection } from './rollout-section.js';
import { SchedulingSection } from './scheduling-section.js';
import { TargetsSection } from './targets-section.js';

type Collapsible = Extract<SectionId, 'abort' | 'timeouts' | 'scheduling'> | 'preview';

export function CreateJobPage() {
  const groups = useThingGroups();
  const things = useThings();
  const customTemplates = useCustomTemplates();
  const managedTemplates = useManagedTemplates();
  const [form, setForm] = useState<CreateJobForm>(emptyForm);
  const template = useTemplateDetail(form.documentMode === 'template' ? form.jobTemplateArn : '');
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [open, setOpen] = useState<ReadonlySet<Collapsible>>(new Set());
  const [submitting, setSubmitting] = useState(false);
  /** Bumped when errors arrive, to bring the first into view once rendered. */
  const [revealed, setRevealed] = useState(0);

  /** The workshop preset was chosen before the groups were listed: target São Paulo once they are. */
  const [awaitingWorkshopGroup, setAwaitingWorkshopGroup] = useState(false);

  const update = (patch: Partial<CreateJobForm>): void => setForm((f) => ({ ...f, ...patch }));
  const choosePreset = (id: PresetId): void => {
    setForm((f) => applyPreset(f, id, { origin: location.origin, groups: groups.items }));
    setAwaitingWorkshopGroup(id === 'workshop-change-temp-unit' && groups.loading && !groups.items.some((g) => g.name === WORKSHOP_GROUP));
  };
  useEffect(() => {
    if (!awaitingWorkshopGroup) return;
    const group = groups.items.find((g) => g.name === WORKSHOP_GROUP);
    if (group) setForm((f) => ({ ...f, groups: [group], things: [] }));
    if (group || !groups.loading) setAwaitingWorkshopGroup(false);
  }, [awaitingWorkshopGroup, groups]);
  const toggle = (id: Collapsible) => (isOpen: boolean) =>
    setOpen((s) => {
      if (s.has(id) === isOpen) return s;
      const next = new Set(s);
      if (isOpen) next.add(id);
      else next.delete(id);
      return next;
    });

  const isManaged = template !== undefined && managedTemplates.items.some((t) => t.arn === template.arn);
  const shown = fieldNames(form, isManaged ? template.documentParameters.map((p) => p.key) : []);
  const request = useMemo(() => buildCreateJobRequest(form), [form]);

  // Errors by the field that shows them; those with no field on screen join the form's errors.
  const byField = new Map<string, FieldError[]>();
  const unplaced = [...formErrors];
  for (const e of fieldErrors) {
    const at = resolveField(e.field, shown);
    if (at === undefined) unplaced.push(e.message);
    else byField.set(at, [...(byField.get(at) ?? []), e]);
  }
  const errorsOnScreen: ErrorsOnScreen = {
    byField,
    dismiss: (name) => setFieldErrors((list) => (list.some((e) => resolveField(e.field, shown) === name) ? list.filter((e) => resolveField(e.field, shown) !== name) : list)),
  };

  const showErrors = (fields: FieldError[], others: string[]): void => {
    setFieldErrors(fields);
    setFormErrors(others);
    const sections = fields.map((e) => sectionOf(resolveField(e.field, shown) ?? e.field)).filter((s) => s === 'abort' || s === 'timeouts' || s === 'scheduling');
    if (sections.length > 0) setOpen((s) => new Set<Collapsible>([...s, ...sections]));
    setRevealed((n) => n + 1);
  };

  useEffect(() => {
    if (revealed === 0) return;
    const first = document.querySelector<HTMLElement>('[data-testid="create-job-page"] :is([data-testid="field-error"], [data-testid="form-error"])');
    first?.scrollIntoView({ block: 'center' });
    const input = document.querySelector<HTMLElement>('[data-testid="create-job-page"] .field.invalid :is(input, select, textarea)');
    input?.focus({ preventScroll: true });
  }, [revealed]);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (submitting) return;
    if (request.blockers.length > 0) {
      showErrors(request.blockers, []);
      return;
    }
    setSubmitting(true);
    const r = await call<{ jobId: string; jobArn: string }>('PUT', `/jobs/${seg(request.jobId)}`, request.body);
    setSubmitting(false);
    if (r.ok) {
      navigate(href.job(request.jobId));
      return;
    }
    const mapped = mapAwsError(r.error);
    showErrors(mapped.fields, mapped.form.map((m) => (mapped.fields.length === 0 && mapped.form.length === 1 ? `${r.error.type}: ${m}` : m)));
  };

  const errorCount = fieldErrors.length + formErrors.length;
  return (
    <section data-testid="create-job-page" class="cj-page">
      <div class="cj-title">
        <div>
          <h1>Create job</h1>
          <p class="muted small">
            Sends <code>CreateJob</code> (<code>PUT /jobs/{'{jobId}'}</code>) to the AWS IoT API, as the AWS CLI does; AWS's validation errors show up next to the fields.
          </p>
        </div>
        <button type="button" class="btn" data-testid="workshop-fill" onClick={() => choosePreset('workshop-change-temp-unit')}>
          Fill in the workshop job
        </button>
      </div>
      <ErrorsContext.Provider value={errorsOnScreen}>
        <form class="cj-form" noValidate onSubmit={(e) => void submit(e)}>
          <div class="cj-columns">
            <div class="cj-col">
              <Panel title="Job">
                <div class="cj-grid cj-job-grid">
                  <Field name="jobId" label="Job ID" hint="Letters, digits, - and _; up to 64.">
                    <TextInput name="jobId" value={form.jobId} placeholder="e.g. ChangeTempUnit" onValue={(v) => update({ jobId: v })} />
                  </Field>
                  <Field name="description" label={<>Description <span class="muted small">(optional)</span></>}>
                    <TextInput name="description" value={form.description} placeholder="What this job does" onValue={(v) => update({ description: v })} />
                  </Field>
                </div>
              </Panel>
              <TargetsSection form={form} update={update} groups={groups} things={things} />
            </div>
            <div class="cj-col">
              <DocumentSection form={form} update={update} choosePreset={choosePreset} customTemplates={customTemplates} managedTemplates={managedTemplates} template={template} />
              <RolloutSection form={form} update={update} />
            </div>
          </div>
          <AbortSection form={form} update={update} open={open.has('abort')} onToggle={toggle('abort')} />
          <TimeoutsSection form={form} update={update} open={open.has('timeouts')} onToggle={toggle('timeouts')} />
          <SchedulingSection form={form} update={update} open={open.has('scheduling')} onToggle={toggle('scheduling')} />
          <RequestPreview request={request} open={open.has('preview')} onToggle={toggle('preview')} />
          {unplaced.map((m, i) => (
            <div key={i} class="form-error" data-testid="form-error" role="alert">
              {m}
            </div>
          ))}
          <div class="cj-actions">
            <span class="muted small" aria-live="polite">
              {submitting ? 'Creating…' : errorCount > 0 ? `${errorCount} problem${errorCount === 1 ? '' : 's'}: see the messages in red.` : ''}
            </span>
            <a class="btn" href={href.jobs()}>
              Cancel
            </a>
            <button type="submit" class="btn btn-primary" data-testid="create-job-submit" disabled={submitting} aria-busy={submitting || undefined}>
              Create job
            </button>
          </div>
        </form>
      </ErrorsContext.Provider>
    </section>
  );
}
