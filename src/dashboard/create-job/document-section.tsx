/** The job document: a JSON editor with presets, or a job template (custom or AWS managed) with its parameters. */
import { Field, Panel } from './fields.js';
import type { CreateJobForm, DocumentMode } from './form-state.js';
import { documentProblem } from './job-request.js';
import { PRESETS, presetById, type PresetId } from './presets.js';
import type { Listing, TemplateChoice, TemplateDetail } from './registry-data.js';
import { TemplateFields } from './template-fields.js';

interface Props {
  form: CreateJobForm;
  update(patch: Partial<CreateJobForm>): void;
  choosePreset(id: PresetId): void;
  customTemplates: Listing<TemplateChoice>;
  managedTemplates: Listing<TemplateChoice>;
  template: TemplateDetail | undefined;
}

const MODES: { value: DocumentMode; label: string }[] = [
  { value: 'document', label: 'Job document' },
  { value: 'template', label: 'Job template' },
];

export function DocumentSection(props: Props) {
  const { form, update } = props;
  const modeSwitch = (
    <div class="cj-segmented" role="radiogroup" aria-label="Job document or job template">
      {MODES.map((m) => (
        <label key={m.value} class={form.documentMode === m.value ? 'on' : ''}>
          <input type="radio" name="documentMode" value={m.value} checked={form.documentMode === m.value} onChange={() => update({ documentMode: m.value })} />
          {m.label}
        </label>
      ))}
    </div>
  );
  return (
    <Panel title="Document" aside={modeSwitch}>
      {form.documentMode === 'document' ? <DocumentEditor {...props} /> : <TemplateFields {...props} />}
    </Panel>
  );
}

function DocumentEditor({ form, update, choosePreset }: Props) {
  const problem = documentProblem(form.document);
  const preset = presetById(form.preset);
  const bytes = new TextEncoder().encode(form.document).length;
  return (
    <>
      <div class="field cj-inline-field">
        <label for="cj-document-preset">Preset</label>
        <select id="cj-document-preset" data-testid="document-preset" value={form.preset} onChange={(e) => choosePreset(e.currentTarget.value as PresetId)}>
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      <Field name="document" hint={preset?.hint}>
        <textarea
          id="cj-document"
          name="document"
          class="code cj-editor"
          rows={8}
          spellcheck={false}
          aria-label="Job document (JSON)"
          aria-invalid={problem !== undefined || undefined}
          value={form.document}
          onInput={(e) => update({ document: e.currentTarget.value, preset: 'custom' })}
        />
        <div class={`cj-json-status ${problem === undefined ? 'ok' : 'bad'}`} data-testid="document-status" aria-live="polite">
          {problem === undefined ? `✓ valid JSON · ${bytes.toLocaleString('en-US')} bytes` : `✗ not valid JSON: ${problem}`}
        </div>
      </Field>
    </>
  );
}
