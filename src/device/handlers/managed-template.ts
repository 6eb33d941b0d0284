/**
 * Documents of the AWS managed templates (spec §7), as the AWS IoT Device Client runs them:
 * `{"version":"1.0","steps":[{"action":{"name":…,"type":"runHandler","input":{"handler":"install-packages.sh","args":[…]}}}]}`.
 * Each step's handler script is simulated on the device: Download-File stores a file,
 * Install-/Remove-Application change the package list, Start-/Stop-/Restart-Application the
 * services, Reboot reboots, Run-Command runs a simulated command. Steps run in order, one
 * progress report each; statusDetails name the step, so a resumed run carries on from it.
 */
import { err, ok, type Result } from '../../core/result.js';
import { isRecord } from '../json.js';
import { NAME_PATTERN, splitNames } from '../package-catalogue.js';
import { devicePath } from '../storage.js';
import { checkUrl } from './fetch-file.js';
import { detailValue, failed, stepTimeoutFor, type JobDocument, type JobHandler, type JobHost, type JobRun, type StatusDetails, type StepOutcome } from './handler.js';
import { installPackages, missingPackage, missingService, removePackages, setServices } from './packages.js';
import { rebootStep } from './reboot.js';
import { runCommand, splitCommand } from './run-command.js';
import { commitStaged, downloadFrom, resumePoint, unstage } from './staged-downloads.js';

type ActionKind = 'download' | 'install' | 'remove' | 'start' | 'stop' | 'restart' | 'reboot' | 'command';

/** The Device Client's sample handler scripts the templates name. */
const HANDLER_SCRIPTS: Readonly<Record<string, ActionKind>> = {
  'download-file.sh': 'download',
  'install-packages.sh': 'install',
  'remove-packages.sh': 'remove',
  'start-services.sh': 'start',
  'stop-services.sh': 'stop',
  'restart-services.sh': 'restart',
  'reboot.sh': 'reboot',
};

const SERVICE_STATE = { start: 'running', stop: 'stopped', restart: 'running' } as const;

interface Action {
  name: string;
  kind: ActionKind;
  /** Package or service names, the download's [url, path], or the command's argv. */
  args: string[];
  user: string;
}

const MAX_STEPS = 10;

function parseAction(step: unknown, i: number): Result<Action, string> {
  const action = isRecord(step) ? step.action : undefined;
  if (!isRecord(action)) return err(`steps[${i}].action must be an object`);
  const name = typeof action.name === 'string' && action.name.length > 0 ? detailValue(action.name.slice(0, 128)) : `step ${i + 1}`;
  const input = isRecord(action.input) ? action.input : {};
  const user = typeof action.runAsUser === 'string' && action.runAsUser.length > 0 ? action.runAsUser : 'root';
  if (action.type === 'runCommand') {
    const argv = typeof input.command === 'string' ? splitCommand(input.command) : [];
    return argv.length > 0 ? ok({ name, kind: 'command', args: argv, user }) : err(`steps[${i}] (${name}): input.command must be a command`);
  }
  if (action.type !== 'runHandler') return err(`steps[${i}] (${name}): action type ${JSON.stringify(action.type)} is not runHandler or runCommand`);
  const kind = typeof input.handler === 'string' ? HANDLER_SCRIPTS[input.handler] : undefined;
  if (!kind) return err(`steps[${i}] (${name}): this thermostat has no handler ${JSON.stringify(input.handler)} (it has ${Object.keys(HANDLER_SCRIPTS).join(', ')})`);
  const raw = Array.isArray(input.args) ? input.args : [];
  if (!raw.every((a): a is string => typeof a === 'string')) return err(`steps[${i}] (${name}): input.args must be strings`);
  return checkArgs({ name, kind, args: kind === 'download' ? raw : splitNames(raw.join(' ')), user }, i);
}

function checkArgs(a: Action, i: number): Result<Action, string> {
  const where = `steps[${i}] (${a.name})`;
  switch (a.kind) {
    case 'download': {
      const [url, path] = a.args;
      const bad = checkUrl(url, 'downloadUrl');
      if (bad !== undefined) return err(`${where}: ${bad}`);
      const full = typeof path === 'string' && path.length > 0 ? devicePath('/', path) : undefined;
      return full && url ? ok({ ...a, args: [url, full] }) : err(`${where}: filePath must be a file path`);
    }
    case 'reboot':
      return ok(a);
    default: {
      const bad = a.args.find((n) => !NAME_PATTERN.test(n));
      if (a.args.length === 0 || bad !== undefined) return err(`${where}: ${a.kind === 'install' || a.kind === 'remove' ? 'packages' : 'services'} must be a space-separated list of names`);
      return ok(a);
    }
  }
}

function parseSteps(doc: JobDocument): Result<Action[], string> {
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) return err('steps must list at least one action');
  if (doc.steps.length > MAX_STEPS) return err(`at most ${MAX_STEPS} steps`);
  const actions: Action[] = [];
  for (const [i, s] of (doc.steps as unknown[]).entries()) {
    const a = parseAction(s, i);
    if (!a.ok) return a;
    actions.push(a.value);
  }
  return ok(actions);
}

/** The statusDetails keys that say which step a report is about. */
const stepKeys = (actions: readonly Action[], i: number): StatusDetails => ({ action: actions[i]?.name ?? '-', actionIndex: String(i), actions: String(actions.length) });

/** Starts action `i`, or finishes the job after the last one with `result` (the last action's output). */
function begin(host: JobHost, run: JobRun, actions: readonly Action[], i: number, result: StatusDetails = {}): StepOutcome {
  const a = actions[i];
  if (!a) return { status: 'SUCCEEDED', statusDetails: { ...result, actions: String(actions.length) } };
  const base = stepKeys(actions, i);
  if (a.kind === 'reboot') return rebootStep(host, base);
  if (a.kind === 'download') return downloadAction(host, run, actions, i, { index: 0, bytes: 0 });
  return { status: 'IN_PROGRESS', statusDetails: { ...base, step: 'running' }, waitMs: run.stepMs, stepTimeoutInMinutes: stepTimeoutFor(run.stepMs) };
}

/** Does what action `i` is for, then starts the next one. */
function perform(host: JobHost, run: JobRun, actions: readonly Action[], i: number): StepOutcome {
  const a = actions[i];
  if (!a) return begin(host, run, actions, i);
  const base = stepKeys(actions, i);
  switch (a.kind) {
    case 'install':
    case 'remove': {
      const missing = missingPackage(a.args);
      if (missing) return failed(missing, base);
      if (a.kind === 'install') installPackages(host, a.args);
      else removePackages(host, a.args);
      return begin(host, run, actions, i + 1, { packages: a.args.join(' ') });
    }
    case 'start':
    case 'stop':
    case 'restart': {
      const missing = missingService(host, a.args);
      if (missing) return failed(missing, base);
      setServices(host, a.args, SERVICE_STATE[a.kind]);
      return begin(host, run, actions, i + 1, { services: a.args.join(' ') });
    }
    case 'command': {
      const out = runCommand(host, a.args, a.user);
      const result: StatusDetails = { exitCode: String(out.exitCode), ...(out.output ? { output: detailValue(out.output) } : {}) };
      return out.exitCode === 0 ? begin(host, run, actions, i + 1, result) : failed(`${a.args[0] ?? ''} exited with ${out.exitCode}`, { ...base, ...result });
    }
    default:
      // Download and reboot finish in step(); nothing else reaches here.
      return begin(host, run, actions, i + 1);
  }
}

export const managedTemplate: JobHandler = {
  name: 'managed-template',
  operations: [],

  matchesShape: (doc) => Array.isArray(doc.steps),

  check(doc) {
    const steps = parseSteps(doc);
    return steps.ok ? undefined : detailValue(`unacceptable job document: ${steps.error}`);
  },

  step(host, run) {
    const actions = parseSteps(run.document);
    if (!actions.ok) return failed(actions.error);
    const d = run.details;
    const i = Number(d.actionIndex);
    // A fresh run, or statusDetails this handler did not write: from the first step.
    if (d.actionIndex === undefined || !Number.isInteger(i) || i < 0 || i >= actions.value.length) return begin(host, run, actions.value, 0);
    switch (d.step) {
      case 'rebooting':
        return begin(host, run, actions.value, i + 1);
      case 'storing':
        commitStaged(host, run);
        return begin(host, run, actions.value, i + 1, { file: actions.value[i]?.args[1] ?? '-' });
      case 'downloading':
        return actions.value[i]?.kind === 'download' ? downloadAction(host, run, actions.value, i, resumePoint(d)) : begin(host, run, actions.value, i);
      case 'running':
        return perform(host, run, actions.value, i);
      default:
        return begin(host, run, actions.value, i);
    }
  },

  abandon: unstage,
};

/** Download-File: the file, from `from` (a resumed run's progress), then a step to store it. */
function downloadAction(host: JobHost, run: JobRun, actions: readonly Action[], i: number, from: { index: number; bytes: number }): StepOutcome {
  const [url, path] = actions[i]?.args as [string, string];
  const base = stepKeys(actions, i);
  const storing: StepOutcome = { status: 'IN_PROGRESS', statusDetails: { ...base, step: 'storing' }, waitMs: run.stepMs, stepTimeoutInMinutes: stepTimeoutFor(run.stepMs) };
  return downloadFrom(host, run, { entries: [{ name: path, path, url, checksum: undefined }], base, done: () => storing }, from.index, from.bytes, true);
}
