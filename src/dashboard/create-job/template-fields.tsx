/**
 * A job template instead of a document: custom templates (ListJobTemplates) and AWS managed ones
 * (ListManagedJobTemplates). A managed template's documentParameters become inputs, with the
 * parameter's description, example and regex; the job sends `jobTemplateArn` and no document.
 */
import { ErrorsFor, Field, TextInput } from './fields.js';
import type { CreateJobForm } from './form-state.js';
import type { DocumentParameter, Listing, TemplateChoice, TemplateDetail } from './registry-data.js';

interface Props {
  form: CreateJobForm;
  update(patch: Partial<CreateJobForm>): void;
  customTemplates: Listing<TemplateChoice>;
  managedTemplates: Listing<TemplateChoice>;
  template: TemplateDetail | undefined;
}

export function TemplateFields({ form, update, customTemplates, managedTemplates, template }: Props) {
  const all = [...customTemplates.items, ...managedTemplates.items];
  const chosen = all.find((t) => t.arn === form.jobTemplateArn);
  const loading = customTemplates.loading || managedTemplates.loading;
  return (
    <>
      <Field name="jobTemplateArn" label="Job template" hint={chosen?.description ?? (loading ? 'Loading templates…' : undefined)}>
        <select
          id="cj-jobTemplateArn"
          name="jobTemplateArn"
          value={form.jobTemplateArn}
          onChange={(e) => update({ jobTemplateArn: e.currentTarget.value, documentParameters: {} })}
        >
          <option value="">Choose a template…</option>
          <optgroup label={`Custom templates (${customTemplates.items.length})`}>
            {customTemplates.items.map((t) => (
              <option key={t.arn} value={t.arn}>
                {t.label}
              </option>
            ))}
          </optgroup>
          <optgroup label={`AWS managed templates (${managedTemplates.items.length})`}>
            {managedTemplates.items.map((t) => (
              <option key={t.arn} value={t.arn}>
                {t.label}
              </option>
            ))}
          </optgroup>
        </select>
      </Field>
      {template?.error !== undefined && <div class="form-error">{template.error}</div>}
      {chosen?.managed && template && <Parameters form={form} update={update} params={template.documentParameters} />}
      {chosen && !chosen.managed && (
        <p class="hint cj-note">A custom template brings its own document and settings; rollout, abort, timeout and retry settings set below replace the template's.</p>
      )}
      {template?.document !== undefined && (
        <details class="cj-template-doc">
          <summary class="small">The template's document</summary>
          <pre class="code">{pretty(template.document)}</pre>
        </details>
      )}
    </>
  );
}

function Parameters({ form, update, params }: { form: CreateJobForm; update: Props['update']; params: DocumentParameter[] }) {
  if (params.length === 0) return <p class="hint cj-note">This template takes no parameters.</p>;
  const names = params.map((p) => `documentParameters.${p.key}`);
  return (
    <fieldset class="cj-params">
      <legend>Document parameters</legend>
      <ErrorsFor names={['documentParameters']} />
      {params.map((p, i) => (
        <Field
          key={p.key}
          name={names[i] ?? ''}
          label={
            <>
              <code>{p.key}</code> {p.optional ? <span class="muted small">(optional)</span> : <span class="small cj-required">(required)</span>}
            </>
          }
          hint={
            <>
              {p.description}
              {p.regex !== undefined && (
                <>
                  {' '}
                  Must match <code>{p.regex}</code>.
                </>
              )}
            </>
          }
        >
          <TextInput
            name={names[i] ?? ''}
            value={form.documentParameters[p.key] ?? ''}
            placeholder={p.example !== undefined ? `e.g. ${p.example}` : undefined}
            onValue={(v) => update({ documentParameters: { ...form.documentParameters, [p.key]: v } })}
          />
        </Field>
      ))}
    </fieldset>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
