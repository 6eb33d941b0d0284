/**
 * What jobs leave on a thermostat besides its settings: downloaded files, installed packages and
 * the state of the services they run. Created on a device's first such job (most devices never
 * get one) and reported in the shadow, so it is kept small: files are remembered by size and
 * digest, not content.
 */

/** A stored file as the device reports it. */
export interface StoredFile {
  bytes: number;
  sha256: string;
  /** The job that wrote it, while that job has not finished: its files go if the job is canceled. */
  stagedBy?: string | undefined;
}

export type ServiceState = 'running' | 'stopped';

/** How many files a device holds: a small flash. */
export const MAX_FILES = 16;

export interface DeviceStorage {
  files?: Map<string, StoredFile>;
  packages?: Set<string>;
  services?: Map<string, ServiceState>;
}

/** The shadow's view of the storage: `files`, `packages` and `services`, each only once it exists. */
export function storageReport(s: DeviceStorage | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!s) return out;
  if (s.files) out.files = filesReport(s.files);
  if (s.packages) out.packages = [...s.packages].sort();
  if (s.services) out.services = Object.fromEntries(s.services);
  return out;
}

/** `files` as reported; `removed` paths are reported as null, which deletes them from the shadow. */
export function filesReport(files: ReadonlyMap<string, StoredFile>, removed: readonly string[] = []): Record<string, { bytes: number; sha256: string } | null> {
  const out: Record<string, { bytes: number; sha256: string } | null> = {};
  for (const [path, f] of files) out[path] = { bytes: f.bytes, sha256: f.sha256 };
  for (const path of removed) if (!files.has(path)) out[path] = null;
  return out;
}

/** What a factory reset reports: every storage key deleted from the shadow. */
export const WIPED_STORAGE_REPORT = { files: null, packages: null, services: null } as const;

/**
 * Joins a directory and a file name into an absolute path without `.` or `..` segments, or
 * undefined when the result would be empty, unreasonably long or hold control characters.
 */
export function devicePath(directory: string, name: string): string | undefined {
  // Paths go into statusDetails and the shadow: no control characters.
  if (/\p{Cc}/u.test(directory + name)) return undefined;
  const parts: string[] = [];
  for (const seg of `${directory}/${name}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  const path = `/${parts.join('/')}`;
  return parts.length === 0 || path.length > 128 ? undefined : path;
}
