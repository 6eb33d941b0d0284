import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True where the AWS CLI (v1 or v2) is on PATH. CI installs it (apt-get install awscli); laptops may not have it. */
export const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

export function announceAwsCliSkip(suite: string): void {
  if (hasAwsCli) return;
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPED: ${suite} needs the AWS CLI (\`aws\`), which is not on PATH.\n!! Install it (apt-get install -y awscli) to run the AWS CLI tests; CI always does.\n${line}\n`);
}

export interface AwsResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The AWS CLI with dummy credentials, a fixed region and empty config files, so the user's own
 * ~/.aws cannot change what it does. Runs asynchronously: an in-process server keeps serving.
 */
export class AwsCli {
  private readonly dir = mkdtempSync(join(tmpdir(), 'acfleet-aws-cli-'));
  private readonly env: NodeJS.ProcessEnv;

  constructor(readonly endpointUrl: string) {
    const config = join(this.dir, 'config');
    const credentials = join(this.dir, 'credentials');
    writeFileSync(config, '');
    writeFileSync(credentials, '');
    const env: NodeJS.ProcessEnv = {};
    // Nothing of the caller's AWS environment (profiles, endpoints, pagers) gets through.
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
    this.env = {
      ...env,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  /** `aws <args> --endpoint-url <endpoint> --output json`; never throws for a non-zero exit. */
  run(args: string[], cwd?: string): Promise<AwsResult> {
    return new Promise((resolve, reject) => {
      execFile('aws', [...args, '--endpoint-url', this.endpointUrl, '--output', 'json'], { env: this.env, cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
  }

  /** Runs a command that must succeed and returns its JSON output ({} when it prints nothing). */
  async json<T = Record<string, unknown>>(args: string[], cwd?: string): Promise<T> {
    const r = await this.run(args, cwd);
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
