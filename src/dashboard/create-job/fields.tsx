/**
 * The form's building blocks: a field that shows the server's errors for its member path, inputs
 * named by member path (the hooks browser tests use), and collapsible sections.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { sectionOf, type FieldError, type SectionId } from './field-errors.js';

export interface ErrorsOnScreen {
  /** Errors by the field that shows them (see resolveField). */
  byField: ReadonlyMap<string, readonly FieldError[]>;
  /** The user changed a field: its errors are stale. */
  dismiss(field: string): void;
}

export const ErrorsContext = createContext<ErrorsOnScreen>({ byField: new Map(), dismiss: () => undefined });

/** DOM ids from member paths (`a.b[0].c` → `cj-a-b-0-c`), so labels point at their inputs. */
export const inputId = (name: string): string => `cj-${name.replace(/[^A-Za-z0-9_-]+/g, '-')}`;

/** The errors of one field, in the markup tests look for. */
export function FieldErrors({ name }: { name: string }) {
  const errors = useContext(ErrorsContext).byField.get(name) ?? [];
  return (
    <>
      {errors.map((e, i) => (
        <div key={i} class="field-error" data-testid="field-error" data-field={e.field} role="alert">
          {e.message}
        </div>
      ))}
    </>
  );
}

/** The errors of several fields laid out in one row, under the whole row (AWS's messages are long). */
export function ErrorsFor({ names }: { names: readonly string[] }) {
  return (
    <>
      {names.map((n) => (
        <FieldErrors key={n} name={n} />
      ))}
    </>
  );
}

export function useInvalid(name: string): boolean {
  return (useContext(ErrorsContext).byField.get(name)?.length ?? 0) > 0;
}

interface FieldProps {
  /** The request member path this field edits (its input's `name`). */
  name: string;
  label?: ComponentChildren;
  hint?: ComponentChildren;
  class?: string;
  /** false: the errors are shown by an ErrorsFor below a row of narrow fields. */
  showErrors?: boolean;
  children: ComponentChildren;
}

/** A labelled input with its hint and server errors; editing it dismisses them. */
export function Field({ name, label, hint, class: extra, showErrors = true, children }: FieldProps) {
  const { dismiss } = useContext(ErrorsContext);
  const invalid = useInvalid(name);
  // Checkboxes, radios and selects fire `input` just before `change`: a render in between would put
  // back their old (controlled) state before their change handler reads it, so they dismiss on change.
  const onInput = (e: Event): void => {
    const t = e.target;
    if (t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && (t.type === 'checkbox' || t.type === 'radio'))) return;
    dismiss(name);
  };
  return (
    <div class={`field${invalid ? ' invalid' : ''}${extra ? ` ${extra}` : ''}`} data-field-name={name} onInput={onInput} onChange={() => dismiss(name)}>
      {label !== undefined && <label for={inputId(name)}>{label}</label>}
      {children}
      {hint !== undefined && <span class="hint">{hint}</span>}
      {showErrors && <FieldErrors name={name} />}
    </div>
  );
}

interface TextProps {
  name: string;
  value: string;
  onValue(value: string): void;
  placeholder?: string;
  /** Numbers: a number input, sent as a number; no min/max, the server judges the range. */
  numeric?: boolean;
  class?: string;
  type?: 'text' | 'datetime-local';
  ariaLabel?: string;
}

export function TextInput({ name, value, onValue, placeholder, numeric, class: cls, type, ariaLabel }: TextProps) {
  const common = {
    id: inputId(name),
    name,
    value,
    placeholder,
    class: cls,
    'aria-label': ariaLabel,
    'aria-invalid': useInvalid(name) || undefined,
    autoComplete: 'off',
    spellcheck: false,
    onInput: (e: { currentTarget: HTMLInputElement }) => onValue(e.currentTarget.value),
  };
  if (numeric) return <input {...common} type="number" inputMode="decimal" />;
  return type === 'datetime-local' ? <input {...common} type="datetime-local" /> : <input {...common} type="text" />;
}

interface SelectProps<T extends string> {
  name: string;
  value: T;
  options: readonly (T | { value: T; label: string })[];
  onValue(value: T): void;
  ariaLabel?: string;
  testId?: string;
}

export function Select<T extends string>({ name, value, options, onValue, ariaLabel, testId }: SelectProps<T>) {
  return (
    <select id={inputId(name)} name={name} value={value} aria-label={ariaLabel} data-testid={testId} onChange={(e) => onValue(e.currentTarget.value as T)}>
      {options.map((o) => {
        const opt = typeof o === 'string' ? { value: o, label: o } : o;
        return (
          <option key={opt.value} value={opt.value}>
            {opt.label}
          </option>
        );
      })}
    </select>
  );
}

interface SectionProps {
  id: SectionId;
  title: string;
  /** What is set, shown on the collapsed summary line. */
  summary?: string;
  open: boolean;
  onToggle(open: boolean): void;
  /** The config member this section edits: errors about the config as a whole show here. */
  member?: string;
  children: ComponentChildren;
}

/** An optional section, collapsed until opened (or until the server finds fault with it). */
export function Section({ id, title, summary, open, onToggle, member, children }: SectionProps) {
  const { byField } = useContext(ErrorsContext);
  let errors = 0;
  for (const [field, list] of byField) if (sectionOf(field) === id) errors += list.length;
  return (
    <details class={`panel cj-section${errors > 0 ? ' invalid' : ''}`} data-testid={`section-${id}`} open={open} onToggle={(e) => onToggle(e.currentTarget.open)}>
      <summary>
        <span class="cj-section-title">{title}</span>
        {summary !== undefined && <span class="cj-section-summary muted">{summary}</span>}
        {errors > 0 && <span class="cj-section-errors">⚠ {errors === 1 ? '1 error' : `${errors} errors`}</span>}
      </summary>
      <div class="cj-section-body">
        {member !== undefined && <FieldErrors name={member} />}
        {children}
      </div>
    </details>
  );
}

/** An always-open section. */
export function Panel({ title, member, aside, children }: { title: string; member?: string; aside?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="panel cj-panel">
      <div class="cj-panel-head">
        <h2>{title}</h2>
        {aside}
      </div>
      {member !== undefined && <FieldErrors name={member} />}
      {children}
    </section>
  );
}
