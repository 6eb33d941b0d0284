/** Hash routes, so the cloud serves one page and links survive a reload. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'fleet' }
  | { page: 'device'; thing: string }
  | { page: 'jobs' }
  | { page: 'job'; jobId: string }
  | { page: 'create-job' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'devices' && parts[1]) return { page: 'device', thing: parts[1] };
  if (parts[0] === 'jobs' && parts[1]) return { page: 'job', jobId: parts[1] };
  if (parts[0] === 'jobs') return { page: 'jobs' };
  if (parts[0] === 'create-job') return { page: 'create-job' };
  return { page: 'fleet' };
}

export const href = {
  fleet: (): string => '#/',
  device: (thing: string): string => `#/devices/${encodeURIComponent(thing)}`,
  jobs: (): string => '#/jobs',
  job: (jobId: string): string => `#/jobs/${encodeURIComponent(jobId)}`,
  createJob: (): string => '#/create-job',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(to: string): void {
  location.hash = to;
}
