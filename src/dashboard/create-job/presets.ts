/**
 * Job document presets: documents the simulated thermostats act on (README "What the devices do
 * with a job", src/device/handlers/). The workshop preset also sets up the rest of the workshop
 * job (README "Workshop"): São Paulo, CONTINUOUS, one device a minute. Pure: no DOM, no preact.
 */
import type { CreateJobForm, TargetRef } from './form-state.js';

export type PresetId = 'workshop-change-temp-unit' | 'download' | 'package-install' | 'reboot' | 'custom';

export interface Preset {
  id: PresetId;
  label: string;
  /** What the device does with it, shown under the editor. */
  hint: string;
  /** The job id prefix a preset proposes (`<prefix>-<short random>`). */
  jobIdPrefix?: string;
  document?: (env: PresetEnv) => object;
}

export interface PresetEnv {
  /** Where the cloud serves files devices can download (the page's origin). */
  origin: string;
}

export const WORKSHOP_GROUP = 'SaoPaulo';

export const PRESETS: readonly Preset[] = [
  {
    id: 'workshop-change-temp-unit',
    label: 'Workshop: ChangeTempUnit (°C, green LED)',
    hint: 'LED blue while applying, then °C and a green LED (the workshop job).',
    jobIdPrefix: 'ChangeTempUnit',
    document: () => ({ tempUnit: 'celsius', ledColor: 'green' }),
  },
  {
    id: 'download',
    label: 'Download a file',
    hint: "Fetches each file's URL into the device's file system (the shadow's files); 403, 404 or a checksum mismatch fails the job.",
    jobIdPrefix: 'Download',
    document: (env) => ({
      operation: 'download',
      version: '1.0',
      directory: '/installs',
      files: { fileName: 'index.html', url: `${env.origin}/_acfleet/dashboard/index.html` },
    }),
  },
  {
    id: 'package-install',
    label: 'Install a package (APT_UPDATE)',
    hint: 'Installs from the built-in catalogue: cowsay, curl, htop, jq, mosquitto, nginx, python3, sqlite3, vim, wget. Any other name fails.',
    jobIdPrefix: 'PackageInstall',
    document: () => ({ jobType: 'APT_UPDATE', aptPackageName: 'cowsay' }),
  },
  {
    id: 'reboot',
    label: 'Reboot',
    hint: 'Disconnects, comes back after its boot time, then reports SUCCEEDED.',
    jobIdPrefix: 'Reboot',
    document: () => ({ operation: 'reboot' }),
  },
  { id: 'custom', label: 'Custom document', hint: 'Any JSON object; devices reject documents they do not understand.' },
];

export const presetById = (id: string): Preset | undefined => PRESETS.find((p) => p.id === id);

/** Six lower-case letters or digits from `random` (Math.random by default; tests pass their own). */
export function shortRandom(random: () => number = Math.random): string {
  let out = '';
  for (let i = 0; i < 6; i++) out += '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 36) % 36];
  return out;
}

/** A job id a preset made, which another preset may replace (one the user typed stays). */
const isGeneratedJobId = (jobId: string): boolean => jobId === '' || PRESETS.some((p) => p.jobIdPrefix !== undefined && new RegExp(`^${p.jobIdPrefix}-[a-z0-9]{6}$`).test(jobId));

export interface PresetContext extends PresetEnv {
  /** The registry's thing groups, to find the workshop's. */
  groups: readonly TargetRef[];
  random?: () => number;
}

/**
 * The form with preset `id` applied. Every document preset sets the document and proposes a job
 * id; the workshop preset also targets São Paulo (when that group exists), CONTINUOUS, 1/minute.
 * `custom` keeps the document as it is, for editing.
 */
export function applyPreset(form: CreateJobForm, id: PresetId, ctx: PresetContext): CreateJobForm {
  const preset = presetById(id);
  if (!preset?.document) return { ...form, preset: 'custom', documentMode: 'document' };
  const next: CreateJobForm = {
    ...form,
    preset: id,
    documentMode: 'document',
    document: JSON.stringify(preset.document(ctx), null, 2),
  };
  const fresh = preset.jobIdPrefix !== undefined ? `${preset.jobIdPrefix}-${shortRandom(ctx.random)}` : undefined;
  if (id === 'workshop-change-temp-unit') {
    const group = ctx.groups.find((g) => g.name === WORKSHOP_GROUP);
    return {
      ...next,
      jobId: fresh ?? form.jobId,
      groups: group ? [group] : form.groups,
      things: group ? [] : form.things,
      targetSelection: 'CONTINUOUS',
      rolloutMode: 'constant',
      maximumPerMinute: '1',
    };
  }
  return { ...next, jobId: fresh !== undefined && isGeneratedJobId(form.jobId.trim()) ? fresh : form.jobId };
}
