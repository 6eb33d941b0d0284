import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FleetConfig } from '../config/schema.js';
import { AcfleetError, ErrorCodes } from '../core/errors.js';

export const secretFileFor = (statePath: string): string | undefined => (statePath === ':memory:' ? undefined : join(dirname(statePath), 'device-secret'));

/**
 * The key behind every device password. Environment first, then fleet.yaml, then the file the
 * cloud keeps beside its state (created on first start); a throwaway run makes one up.
 */
export function resolveDeviceSecret(config: FleetConfig, statePath: string, create: boolean): string {
  const fromEnv = process.env.ACFLEET_DEVICE_SECRET;
  if (fromEnv) return fromEnv;
  if (config.broker.deviceSecret) return config.broker.deviceSecret;
  const file = secretFileFor(statePath);
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!create) {
    throw new AcfleetError(
      ErrorCodes.CLI_USAGE,
      `no device secret: set ACFLEET_DEVICE_SECRET to the cloud's (it keeps it in ${file ?? '<state dir>/device-secret'}), or point --state at the cloud's state file`,
    );
  }
  const secret = randomBytes(32).toString('base64url');
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return secret;
}

const fromEnvPair = (user: string, pass: string): { username: string; password: string } | undefined => {
  const username = process.env[user];
  const password = process.env[pass];
  return username && password ? { username, password } : undefined;
};

export function operatorCredentials(config: FleetConfig): { username: string; password: string } | undefined {
  return fromEnvPair('ACFLEET_OPERATOR_USERNAME', 'ACFLEET_OPERATOR_PASSWORD') ?? (config.broker.type === 'embedded' ? config.broker.operator : undefined);
}

export function cloudCredentials(config: FleetConfig): { username: string; password: string } | undefined {
  const env = fromEnvPair('ACFLEET_CLOUD_USERNAME', 'ACFLEET_CLOUD_PASSWORD');
  if (env) return env;
  if (config.broker.type === 'external' && config.broker.username && config.broker.password) {
    return { username: config.broker.username, password: config.broker.password };
  }
  return undefined;
}
