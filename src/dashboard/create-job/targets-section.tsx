/** Targets: thing groups and things from the registry, as checkboxes filtered by one search box; and SNAPSHOT / CONTINUOUS. */
import { useMemo, useState } from 'preact/hooks';
import { Field, Panel, Select } from './fields.js';
import { toggleTarget, type CreateJobForm, type TargetRef, type TargetSelection } from './form-state.js';
import type { Listing } from './registry-data.js';
import { matchTargets } from './target-search.js';

/** Checkboxes drawn at most: the rest are found by searching. */
const GROUPS_SHOWN = 60;
const THINGS_SHOWN = 150;
/** Chosen targets listed by name before "and N more". */
const CHOSEN_LISTED = 12;

interface Props {
  form: CreateJobForm;
  update(patch: Partial<CreateJobForm>): void;
  groups: Listing<TargetRef>;
  things: Listing<TargetRef>;
}

const count = (n: number): string => n.toLocaleString('en-US');

export function TargetsSection({ form, update, groups, things }: Props) {
  const [query, setQuery] = useState('');
  const groupMatches = useMemo(() => matchTargets(groups.items, query, GROUPS_SHOWN), [groups.items, query]);
  const thingMatches = useMemo(() => matchTargets(things.items, query, THINGS_SHOWN), [things.items, query]);
  const chosenGroups = new Set(form.groups.map((g) => g.name));
  const chosenThings = new Set(form.things.map((t) => t.name));
  const chosen = [...form.groups.map((t) => ({ ...t, kind: 'group' as const })), ...form.things.map((t) => ({ ...t, kind: 'thing' as const }))];

  return (
    <Panel title="Targets" aside={<span class="muted small" data-testid="targets-count">{chosen.length === 0 ? 'none selected' : `${count(chosen.length)} selected`}</span>}>
      <Field name="targets">
        <input
          type="search"
          class="cj-search"
          placeholder={`Search ${count(groups.items.length)} groups and ${count(things.items.length)}${things.loading ? '…' : ''} things by name`}
          aria-label="Search thing groups and things"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <div class="cj-target-head">
          <span class="label">Thing groups</span>
          <span class="muted small">{listingNote(groups, groupMatches.total, groupMatches.shown.length, query)}</span>
        </div>
        <div class="cj-checks cj-groups" role="group" aria-label="Thing groups">
          {groupMatches.shown.map((g) => (
            <label key={g.name} class={`cj-check${chosenGroups.has(g.name) ? ' on' : ''}`}>
              <input type="checkbox" name="targetGroup" value={g.name} checked={chosenGroups.has(g.name)} onChange={(e) => update({ groups: toggleTarget(form.groups, g, e.currentTarget.checked) })} />
              {g.name}
            </label>
          ))}
        </div>
        <div class="cj-target-head">
          <span class="label">Things</span>
          <span class="muted small">{listingNote(things, thingMatches.total, thingMatches.shown.length, query)}</span>
        </div>
        <div class="cj-checks cj-things" role="group" aria-label="Things">
          {thingMatches.shown.map((t) => (
            <label key={t.name} class={`cj-check${chosenThings.has(t.name) ? ' on' : ''}`}>
              <input type="checkbox" name="targetThing" value={t.name} checked={chosenThings.has(t.name)} onChange={(e) => update({ things: toggleTarget(form.things, t, e.currentTarget.checked) })} />
              {t.name}
            </label>
          ))}
        </div>
        {chosen.length > 0 && (
          <div class="cj-chosen" data-testid="targets-chosen">
            {chosen.slice(0, CHOSEN_LISTED).map((t) => (
              <span key={`${t.kind}:${t.name}`} class="cj-chip" title={t.arn}>
                <span class="muted">{t.kind === 'group' ? 'group' : 'thing'}</span> {t.name}
                <button
                  type="button"
                  class="cj-chip-x"
                  aria-label={`Remove ${t.name}`}
                  onClick={() => update(t.kind === 'group' ? { groups: toggleTarget(form.groups, t, false) } : { things: toggleTarget(form.things, t, false) })}
                >
                  ×
                </button>
              </span>
            ))}
            {chosen.length > CHOSEN_LISTED && <span class="muted small">and {count(chosen.length - CHOSEN_LISTED)} more</span>}
          </div>
        )}
      </Field>
      <Field
        name="targetSelection"
        label="Target selection"
        class="cj-inline-field"
        hint={form.targetSelection === 'CONTINUOUS' ? 'CONTINUOUS: things that join a target group later run the job too.' : 'SNAPSHOT: the job ends once the targets of today have run it.'}
      >
        <Select<TargetSelection> name="targetSelection" value={form.targetSelection} options={['SNAPSHOT', 'CONTINUOUS']} onValue={(v) => update({ targetSelection: v })} />
      </Field>
    </Panel>
  );
}

function listingNote(list: Listing<TargetRef>, total: number, shown: number, query: string): string {
  if (list.error !== undefined) return `cannot list: ${list.error}`;
  const all = count(list.items.length) + (list.loading ? '… loading' : '');
  if (query.trim() === '') return shown < total ? `showing ${count(shown)} of ${all} — search to find the rest` : `${all}`;
  return shown < total ? `showing ${count(shown)} of ${count(total)} matches (of ${all})` : `${count(total)} match${total === 1 ? '' : 'es'} (of ${all})`;
}
