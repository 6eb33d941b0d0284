import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { describeFaults, NO_FAULTS_CONFIG } from '../../config/faults.js';
import { loadConfigFile } from '../../config/load.js';
import { faultsDocumentSchema, fromDocument, type FaultsChange, type FaultsDocument } from '../../cloud/fault-settings.js';
import { AcfleetError, ErrorCodes } from '../../core/errors.js';
import { parseFaultAssignments } from '../fault-assignments.js';
import { UsageError } from '../usage-error.js';

interface FaultsArgs {
  config: string;
  'http-url'?: string | undefined;
  group?: string[] | undefined;
  set?: string[] | undefined;
  reset: boolean;
  show: boolean;
  json: boolean;
}

/** The cloud's HTTP API as fleet.yaml configures it (127.0.0.1:8080 without a fleet.yaml). */
function httpUrlFromConfig(file: string): string {
  try {
    const { host, port } = loadConfigFile(file).http;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  } catch (e) {
    if (e instanceof AcfleetError && e.code === ErrorCodes.CONFIG_NOT_FOUND) return 'http://127.0.0.1:8080';
    throw e;
  }
}

/** The PUT body for `--set`/`--reset`, on every group or on the `--group`s named. */
export function faultsChangeFor(a: { set?: string[] | undefined; reset: boolean; group?: string[] | undefined }): FaultsChange {
  const { input } = parseFaultAssignments(a.set ?? [], '--set');
  const groups = a.group?.length ? a.group : undefined;
  const change: FaultsChange = {};
  if (a.reset) change.reset = groups ?? true;
  if (Object.keys(input).length > 0 || !a.reset) {
    if (groups) change.groups = Object.fromEntries(groups.map((g) => [g, input]));
    else change.faults = input;
  }
  return change;
}

async function call(url: string, init?: RequestInit): Promise<FaultsDocument> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new Error(`cannot reach the acfleet cloud at ${url} (${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}): is \`acfleet up\` or \`acfleet cloud\` running? Point at it with --http-url.`);
  }
  const body = (await res.json().catch(() => undefined)) as { issues?: unknown; message?: unknown } | undefined;
  if (res.status === 400 && Array.isArray(body?.issues)) throw new Error(`the faults were not changed:\n${body.issues.map((i) => `  - ${String(i)}`).join('\n')}`);
  if (!res.ok) throw new Error(`${url} answered ${res.status}${typeof body?.message === 'string' ? `: ${body.message}` : ''}`);
  return body as FaultsDocument;
}

function render(doc: FaultsDocument, groups: readonly string[] | undefined, json: boolean): string {
  const parsed = faultsDocumentSchema.safeParse(doc);
  if (!parsed.success) throw new Error('the cloud returned faults this acfleet cannot read (a different version?)');
  const wanted = Object.entries(parsed.data.groups).filter(([g]) => !groups?.length || groups.includes(g));
  if (json) return `${JSON.stringify({ groups: Object.fromEntries(wanted.map(([g]) => [g, doc.groups[g]])) }, null, 2)}\n`;
  const width = Math.max(0, ...wanted.map(([g]) => g.length));
  const faults = fromDocument({ groups: Object.fromEntries(wanted) });
  return wanted.map(([g]) => `${g.padEnd(width)}  ${describeFaults(faults[g] ?? NO_FAULTS_CONFIG)}\n`).join('');
}

export const faultsCommand: CommandModule<object, FaultsArgs> = {
  command: 'faults',
  describe: "show or change a running fleet's failure injection (through the cloud's HTTP API)",
  builder: (y: Argv) =>
    y
      .usage(
        [
          '$0 faults                               show every group\'s faults',
          '$0 faults --set fail=0.2 --set hang=0.05  on every group',
          '$0 faults -g SaoPaulo --set reject=1      on one group (repeat -g)',
          '$0 faults --reset                         no faults anywhere',
        ].join('\n'),
      )
      .option('config', { alias: 'c', type: 'string', default: 'fleet.yaml', describe: 'fleet configuration file (for the HTTP address)' })
      .option('http-url', { type: 'string', describe: "the cloud's HTTP API (default: http.host and http.port of fleet.yaml)" })
      .option('group', { alias: 'g', type: 'string', array: true, describe: 'change only this group' })
      .option('set', { type: 'string', array: true, describe: "key=value as in fleet.yaml's faults block: fail, reject, hang, crash, offline[.never|.drops|.dropAfter], duration, latency" })
      .option('reset', { type: 'boolean', default: false, describe: 'back to no faults (then --set, if given)' })
      .option('show', { type: 'boolean', default: false, describe: 'print the current faults (the default without --set or --reset)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON, as GET /_acfleet/faults returns it' })
      .check((a) => {
        if (a.set !== undefined) parseFaultAssignments(a.set, '--set');
        if (a.group?.length && !a.set?.length && !a.reset && !a.show) throw new UsageError('--group names the groups to change with --set or --reset (or to --show)');
        return true;
      }) as unknown as Argv<FaultsArgs>,
  handler: async (a: ArgumentsCamelCase<FaultsArgs>) => {
    const base = a['http-url'] ?? httpUrlFromConfig(a.config);
    const url = new URL('/_acfleet/faults', base).href;
    const changing = (a.set?.length ?? 0) > 0 || a.reset;
    const doc = changing
      ? await call(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faultsChangeFor(a)) })
      : await call(url);
    process.stdout.write(render(doc, a.show ? undefined : a.group, a.json));
  },
};
