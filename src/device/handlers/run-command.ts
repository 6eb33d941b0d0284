/**
 * AWS-Run-Command on a thermostat: a handful of commands a small Linux device answers, simulated
 * against its state (files, packages, services). Anything else is "command not found", exit
 * code 127, so the job fails as it would on a device without that program.
 */
import { packageNotFound, packageVersion } from '../package-catalogue.js';
import type { JobHost } from './handler.js';
import { installPackages, missingService, removePackages, setServices } from './packages.js';

export interface CommandResult {
  exitCode: number;
  /** stdout, or stderr when the command failed. */
  output: string;
}

/** The template's `command`: arguments separated by commas, `\,` a comma inside one. */
export function splitCommand(command: string): string[] {
  const argv: string[] = [];
  let current = '';
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '\\' && command[i + 1] === ',') {
      current += ',';
      i++;
    } else if (c === ',') {
      argv.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  argv.push(current);
  return argv.filter((a) => a.length > 0);
}

type Program = (host: JobHost, args: readonly string[], user: string) => CommandResult;

const okay = (output = ''): CommandResult => ({ exitCode: 0, output });

const SERVICE_VERBS = { start: 'running', stop: 'stopped', restart: 'running' } as const;

const PROGRAMS: Readonly<Record<string, Program>> = {
  echo: (_h, args) => okay(args.join(' ')),
  true: () => okay(),
  false: () => ({ exitCode: 1, output: '' }),
  hostname: (h) => okay(h.thingName),
  whoami: (_h, _a, user) => okay(user),
  uname: (h, args) => okay(args.includes('-a') ? `Linux ${h.thingName} 6.1.0-acfleet armv7l GNU/Linux` : 'Linux'),
  ls: (h, args) => {
    const dir = args.find((a) => !a.startsWith('-')) ?? '/';
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = [...(h.storage?.files?.keys() ?? [])].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
    return okay(names.sort().join('\n'));
  },
  'apt-get': (h, args) => {
    const [verb, ...rest] = args.filter((a) => !a.startsWith('-'));
    if (verb === 'update') return okay('Reading package lists... Done');
    if (verb !== 'install' && verb !== 'remove') return { exitCode: 100, output: `E: Invalid operation ${verb ?? ''}` };
    const missing = rest.find((n) => packageVersion(n) === undefined);
    if (missing !== undefined) return { exitCode: 100, output: packageNotFound(missing) };
    if (verb === 'install') installPackages(h, rest);
    else removePackages(h, rest);
    return okay();
  },
  systemctl: (h, args) => {
    const [verb, ...services] = args;
    const state = verb === 'start' || verb === 'stop' || verb === 'restart' ? SERVICE_VERBS[verb] : undefined;
    if (!state || services.length === 0) return { exitCode: 1, output: `Unknown command verb ${verb ?? ''}.` };
    const missing = missingService(h, services);
    if (missing) return { exitCode: 5, output: `Failed to ${verb} ${services.join(' ')}: ${missing}` };
    setServices(h, services, state);
    return okay();
  },
};

/** Runs `argv` as `user`; the effects land on the device and in its shadow. */
export function runCommand(host: JobHost, argv: readonly string[], user: string): CommandResult {
  const [program, ...args] = argv;
  if (program === undefined) return { exitCode: 1, output: 'empty command' };
  const run = Object.hasOwn(PROGRAMS, program) ? PROGRAMS[program] : undefined;
  return run ? run(host, args, user) : { exitCode: 127, output: `${program}: command not found` };
}
