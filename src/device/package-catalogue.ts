/**
 * The simulated package repository a thermostat installs from (APT_UPDATE jobs, the
 * AWS-Install-Application template) and the services its system knows. A name outside the
 * catalogue fails the way apt-get does, so operators can try failing jobs on purpose.
 */

interface CataloguePackage {
  readonly version: string;
  /** The system service the package installs, if any (Start/Stop/Restart-Application). */
  readonly service?: string;
}

const PACKAGES: ReadonlyMap<string, CataloguePackage> = new Map<string, CataloguePackage>([
  ['cowsay', { version: '3.03+dfsg2-8' }],
  ['curl', { version: '7.88.1-10' }],
  ['htop', { version: '3.2.2-2' }],
  ['jq', { version: '1.6-2.1' }],
  ['mosquitto', { version: '2.0.11-1.2', service: 'mosquitto' }],
  ['nginx', { version: '1.22.1-9', service: 'nginx' }],
  ['python3', { version: '3.11.2-1' }],
  ['sqlite3', { version: '3.40.1-2' }],
  ['vim', { version: '2:9.0.1378-2' }],
  ['wget', { version: '1.21.3-1' }],
]);

/** Services every thermostat runs before any package is installed. */
const SYSTEM_SERVICES: readonly string[] = ['cron', 'ssh', 'systemd-timesyncd'];

/** The catalogue version of `name`, or undefined when the repository has no such package. */
export const packageVersion = (name: string): string | undefined => PACKAGES.get(name)?.version;

/** apt-get's words for a package it cannot find. */
export const packageNotFound = (name: string): string => `E: Unable to locate package ${name}`;

/** Whether the device has `service`: a system service, or one from a package it has installed. */
export function hasService(service: string, installed: ReadonlySet<string> | undefined): boolean {
  if (SYSTEM_SERVICES.includes(service)) return true;
  if (!installed) return false;
  for (const name of installed) if (PACKAGES.get(name)?.service === service) return true;
  return false;
}

/** The service a package brings, if any (it stops when the package is removed). */
export const serviceOf = (name: string): string | undefined => PACKAGES.get(name)?.service;

/** Package names in a space-separated list (the managed templates' `packages`, `services`). */
export const splitNames = (list: string): string[] => list.split(/\s+/).filter((s) => s.length > 0);

/** A name apt or systemd could accept; anything else is rejected before the job starts. */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9.+_@-]{0,127}$/;
