/**
 * What the cloud sends the dashboard (src/dashboard/) beyond the AWS APIs: the one definition
 * both sides compile against. Types only, so the browser bundle imports nothing from Node.
 */

export type ExecutionStatusName = 'QUEUED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'REJECTED' | 'REMOVED' | 'CANCELED';

export interface DeviceView {
  thing: string;
  /** The fleet.yaml group it came from; undefined for things made over the API. */
  group?: string;
  city?: string;
  led?: string;
  tempUnit?: string;
  /** In tempUnit, as the device last published it. */
  temp?: number;
  humid?: number;
  online: boolean;
  /** The thing's newest execution (by queuedAt), so a rollout can be followed device by device. */
  job?: { jobId: string; status: ExecutionStatusName };
}

/** A fleet.yaml group's place on the map. */
export interface CityView {
  group: string;
  city: string;
  country: string;
  lat: number;
  lon: number;
}

/** `GET /_acfleet/live`: the first event. */
export interface LiveSnapshot {
  devices: DeviceView[];
  cities: CityView[];
}

/**
 * A changed device on the wire: without its group and city, which never change (a third of the
 * bytes at 10,000 devices), and with `job: null` once its last execution is gone. The browser
 * merges it into what it has.
 */
export type DeviceChange = Omit<DeviceView, 'group' | 'city' | 'job'> & { job: DeviceView['job'] | null };

/** `GET /_acfleet/live`: every later event, a few times a second at most. */
export interface LiveChanges {
  devices: DeviceChange[];
}
