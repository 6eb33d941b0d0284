/**
 * Package and service changes on the device, shared by APT_UPDATE and the AWS managed templates
 * (Install-/Remove-/Start-/Stop-/Restart-Application). Each is idempotent, since a resumed
 * execution may run its last step again, and reports what changed to the shadow.
 */
import { hasService, packageNotFound, packageVersion, serviceOf } from '../package-catalogue.js';
import type { ServiceState } from '../storage.js';
import type { JobHost } from './handler.js';

/** The first name the repository does not have, as apt-get words it; undefined when it has them all. */
export function missingPackage(names: readonly string[]): string | undefined {
  const missing = names.find((n) => packageVersion(n) === undefined);
  return missing === undefined ? undefined : packageNotFound(missing);
}

/** Adds `names` (all in the catalogue) to the package list; a package's service starts with it, as on Debian. */
export function installPackages(host: JobHost, names: readonly string[]): void {
  const storage = (host.storage ??= {});
  const packages = (storage.packages ??= new Set<string>());
  const started: Record<string, ServiceState> = {};
  for (const n of names) {
    if (packages.has(n)) continue;
    packages.add(n);
    const service = serviceOf(n);
    if (service) started[service] = 'running';
  }
  if (Object.keys(started).length > 0) {
    const services = (storage.services ??= new Map<string, ServiceState>());
    for (const [s, state] of Object.entries(started)) services.set(s, state);
  }
  reportPackages(host);
}

/** Removes `names`; removing one that is not installed is not an error (apt-get only says so). */
export function removePackages(host: JobHost, names: readonly string[]): void {
  const storage = (host.storage ??= {});
  const packages = (storage.packages ??= new Set<string>());
  const gone: string[] = [];
  for (const n of names) {
    if (!packages.delete(n)) continue;
    const service = serviceOf(n);
    if (service && storage.services?.delete(service)) gone.push(service);
  }
  reportPackages(host, gone);
}

/** Why the services cannot be acted on (systemd's words), or undefined. */
export function missingService(host: JobHost, services: readonly string[]): string | undefined {
  const missing = services.find((s) => !hasService(s, host.storage?.packages));
  return missing === undefined ? undefined : `Unit ${missing}.service not found.`;
}

/** Sets the state of services the device has (see missingService). */
export function setServices(host: JobHost, services: readonly string[], state: ServiceState): void {
  const storage = (host.storage ??= {});
  const map = (storage.services ??= new Map<string, ServiceState>());
  for (const s of services) map.set(s, state);
  host.shadow.report({ services: Object.fromEntries(map) });
}

/** Reports the package list (an array: the shadow replaces it whole) and the services, `gone` ones as null (the shadow merges objects). */
function reportPackages(host: JobHost, gone: readonly string[] = []): void {
  const storage = host.storage;
  if (!storage?.packages) return;
  const services: Record<string, ServiceState | null> = {};
  for (const [s, state] of storage.services ?? []) services[s] = state;
  for (const s of gone) services[s] = null;
  host.shadow.report({ packages: [...storage.packages].sort(), ...(Object.keys(services).length > 0 ? { services } : {}) });
}
