/** Which devices the fleet page shows: pure, so it can be tested without a browser. */
import type { DeviceView } from '../../api/dashboard-types.js';

export interface FleetFilters {
  /** A group name; '' = every city. */
  group: string;
  /** An LED colour; '' = any. */
  led: string;
  /** An execution status, 'none' = no job yet, '' = any. */
  jobStatus: string;
  /** 'online' | 'offline' | '' */
  online: string;
  /** Case-insensitive substring of the thing name. */
  search: string;
}

export const NO_FILTERS: FleetFilters = { group: '', led: '', jobStatus: '', online: '', search: '' };

export function matches(d: DeviceView, f: FleetFilters): boolean {
  if (f.group && d.group !== f.group) return false;
  if (f.led && (d.led ?? 'unknown') !== f.led) return false;
  if (f.jobStatus === 'none' ? d.job !== undefined : f.jobStatus && d.job?.status !== f.jobStatus) return false;
  if (f.online && d.online !== (f.online === 'online')) return false;
  if (f.search && !d.thing.toLowerCase().includes(f.search.trim().toLowerCase())) return false;
  return true;
}

export const isFiltered = (f: FleetFilters): boolean => Object.values(f).some((v) => v !== '');
