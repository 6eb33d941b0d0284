/**
 * The AWS managed job templates (spec §7), as data: the documents and parameter metadata AWS
 * publishes in the developer guide ("Managed template remote actions and job documents") and
 * returns from DescribeManagedJobTemplate. Jobs created from them take `documentParameters`,
 * substituted into the `${aws:iot:parameter:<key>}` tokens by `documents.ts`.
 */
import type { ArnScope } from '../registry/arns.js';

/** One entry of DescribeManagedJobTemplate's `documentParameters` (botocore `DocumentParameter`). */
export interface DocumentParameterSpec {
  key: string;
  description: string;
  /** Java-style pattern a value must match as a whole. */
  regex: string;
  example: string;
  optional: boolean;
}

export interface ManagedTemplate {
  /** `AWS-<action>`. */
  name: string;
  version: string;
  description: string;
  environments: readonly string[];
  documentParameters: readonly DocumentParameterSpec[];
  /** Compact JSON with `${aws:iot:parameter:<key>}` tokens, as DescribeManagedJobTemplate returns it. */
  document: string;
}

export const MANAGED_TEMPLATE_VERSION = '1.0';

/** `arn:aws:iot:<region>::jobtemplate/<name>:<version>`: no account, the templates belong to AWS. */
export const managedTemplateArn = (scope: Pick<ArnScope, 'region'>, name: string, version: string): string =>
  `arn:aws:iot:${scope.region}::jobtemplate/${name}:${version}`;

export const parameterToken = (key: string): string => `\${aws:iot:parameter:${key}}`;

// The two optional parameters every template but Run-Command shares; metadata as the AWS CLI
// guide prints it for AWS-Download-File.
const RUN_AS_USER: DocumentParameterSpec = {
  key: 'runAsUser',
  description: 'Execute handler as another user. If not specified, then handler is executed as the same user as device client.',
  regex: '(.){0,256}',
  example: 'user1',
  optional: true,
};

const PATH_TO_HANDLER: DocumentParameterSpec = {
  key: 'pathToHandler',
  description: 'Path to handler on the device. If not specified, then device client will use the current working directory.',
  regex: '(.){0,4096}',
  example: '/path/to/handler/script',
  optional: true,
};

/** A required parameter. AWS shows `(.*?)` for downloadUrl and filePath; the others' patterns are unpublished, so they take the same. */
const required = (key: string, description: string, example: string): DocumentParameterSpec => ({ key, description, regex: '(.*?)', example, optional: false });

/** `runHandler` step: the Device Client runs `handler` from `path` with `args`. */
function runHandlerDocument(name: string, handler: string, args: readonly string[]): string {
  const input = { handler, ...(args.length > 0 ? { args: args.map(parameterToken) } : {}), path: parameterToken('pathToHandler') };
  return JSON.stringify({ version: '1.0', steps: [{ action: { name, type: 'runHandler', input, runAsUser: parameterToken('runAsUser') } }] });
}

function handlerTemplate(o: { action: string; description: string; handler: string; parameters: readonly DocumentParameterSpec[] }): ManagedTemplate {
  return {
    name: `AWS-${o.action}`,
    version: MANAGED_TEMPLATE_VERSION,
    description: o.description,
    environments: ['LINUX'],
    documentParameters: [...o.parameters, RUN_AS_USER, PATH_TO_HANDLER],
    document: runHandlerDocument(
      o.action,
      o.handler,
      o.parameters.map((p) => p.key),
    ),
  };
}

const PACKAGES = required('packages', 'Space separated list of one or more packages.', 'package1 package2');
const SERVICES = required('services', 'Space separated list of one or more system services.', 'service1 service2');

/**
 * In the order this emulator lists them. Descriptions of Reboot, Download-File, Remove-, Stop- and
 * Restart-Application are AWS's (CLI guide); the other three follow their wording.
 */
export const MANAGED_TEMPLATES: readonly ManagedTemplate[] = [
  handlerTemplate({
    action: 'Download-File',
    description: 'A managed job template for downloading a file.',
    handler: 'download-file.sh',
    parameters: [
      required('downloadUrl', 'URL of file to download.', 'http://www.example.com/index.html'),
      required('filePath', 'Path on the device where downloaded file is written.', '/path/to/file'),
    ],
  }),
  handlerTemplate({
    action: 'Install-Application',
    description: 'A managed job template for installing one or more applications.',
    handler: 'install-packages.sh',
    parameters: [PACKAGES],
  }),
  handlerTemplate({ action: 'Reboot', description: 'A managed job template for rebooting the device.', handler: 'reboot.sh', parameters: [] }),
  handlerTemplate({
    action: 'Remove-Application',
    description: 'A managed job template for uninstalling one or more applications.',
    handler: 'remove-packages.sh',
    parameters: [PACKAGES],
  }),
  handlerTemplate({
    action: 'Start-Application',
    description: 'A managed job template for starting one or more system services.',
    handler: 'start-services.sh',
    parameters: [SERVICES],
  }),
  handlerTemplate({
    action: 'Stop-Application',
    description: 'A managed job template for stopping one or more system services.',
    handler: 'stop-services.sh',
    parameters: [SERVICES],
  }),
  handlerTemplate({
    action: 'Restart-Application',
    description: 'A managed job template for restarting one or more system services.',
    handler: 'restart-services.sh',
    parameters: [SERVICES],
  }),
  {
    // runCommand, not runHandler: no handler, so no pathToHandler.
    name: 'AWS-Run-Command',
    version: MANAGED_TEMPLATE_VERSION,
    description: 'A managed job template for running a command.',
    environments: ['LINUX'],
    documentParameters: [
      required('command', 'Comma separated command to run; a comma inside the command itself must be escaped.', 'ls,-l,/tmp'),
      RUN_AS_USER,
    ],
    document: JSON.stringify({
      version: '1.0',
      steps: [{ action: { name: 'Run-Command', type: 'runCommand', input: { command: parameterToken('command') }, runAsUser: parameterToken('runAsUser') } }],
    }),
  },
];

/** The template by name, at `version` or (none given) its default version; undefined if AWS has no such template. */
export function findManagedTemplate(name: string, version?: string): ManagedTemplate | undefined {
  return MANAGED_TEMPLATES.find((t) => t.name === name && (version === undefined || t.version === version));
}
