/**
 * Each device's most recent telemetry readings, for the dashboard's sparkline (issue 7): a ring
 * of the last `pointsPerDevice` points, oldest overwritten first. Memory is what matters with
 * 10,000 devices, so a device's ring is one ArrayBuffer (13 bytes a point: time as uint32
 * seconds, temperature and humidity as float32, unit as a byte) made only when it first reports,
 * and never grows; devices beyond `maxDevices` are not recorded at all.
 */

export const DEFAULT_POINTS_PER_DEVICE = 120;
/** Bounds memory against telemetry from a flood of made-up thing names. */
export const DEFAULT_MAX_DEVICES = 50_000;

/** A reading as the history records it. */
export interface TelemetrySample {
  /** Simulated epoch seconds (telemetry's own `timestamp`). */
  atSec: number;
  temp: number;
  humid?: number | undefined;
  tempUnit?: string | undefined;
}

/** A device's recorded readings, oldest first, as parallel columns (what a chart takes). */
export interface TelemetryColumns {
  /** Simulated epoch seconds. */
  at: number[];
  temp: number[];
  humid: (number | null)[];
  tempUnit: (string | null)[];
}

/** Unit byte → name; 0 is "not given". Units outside this list are recorded as not given. */
const UNITS = [undefined, 'celsius', 'fahrenheit'] as const;
const BYTES_PER_POINT = 4 + 4 + 4 + 1;

/**
 * One device's ring: a single DataView over its buffer (columns of times, temperatures,
 * humidities, units), not four typed-array views, which cost ~300 heap bytes more per device.
 */
class DeviceRing {
  private readonly data: DataView;
  /** Where the next point goes. */
  private next = 0;
  size = 0;

  constructor(private readonly capacity: number) {
    this.data = new DataView(new ArrayBuffer(capacity * BYTES_PER_POINT));
  }

  newestTime(): number | undefined {
    return this.size === 0 ? undefined : this.timeAt((this.next - 1 + this.capacity) % this.capacity);
  }

  push(s: TelemetrySample): void {
    const i = this.next;
    const c = this.capacity;
    const unit = UNITS.indexOf(s.tempUnit as (typeof UNITS)[number]);
    this.data.setUint32(i * 4, s.atSec, true);
    this.data.setFloat32(c * 4 + i * 4, s.temp, true);
    this.data.setFloat32(c * 8 + i * 4, s.humid ?? Number.NaN, true);
    this.data.setUint8(c * 12 + i, unit > 0 ? unit : 0);
    this.next = (i + 1) % c;
    if (this.size < c) this.size++;
  }

  columns(): TelemetryColumns {
    const out: TelemetryColumns = { at: [], temp: [], humid: [], tempUnit: [] };
    const c = this.capacity;
    const first = (this.next - this.size + c) % c;
    for (let k = 0; k < this.size; k++) {
      const i = (first + k) % c;
      const humid = this.data.getFloat32(c * 8 + i * 4, true);
      out.at.push(this.timeAt(i));
      // float32 holds 21.53 as 21.5300006…: telemetry carries two decimals, so give back two.
      out.temp.push(round2(this.data.getFloat32(c * 4 + i * 4, true)));
      out.humid.push(Number.isNaN(humid) ? null : round2(humid));
      out.tempUnit.push(UNITS[this.data.getUint8(c * 12 + i)] ?? null);
    }
    return out;
  }

  private timeAt(i: number): number {
    return this.data.getUint32(i * 4, true);
  }
}

export class TelemetryHistory {
  private readonly rings = new Map<string, DeviceRing>();
  readonly pointsPerDevice: number;
  readonly maxDevices: number;

  constructor(o: { pointsPerDevice?: number; maxDevices?: number } = {}) {
    this.pointsPerDevice = o.pointsPerDevice ?? DEFAULT_POINTS_PER_DEVICE;
    this.maxDevices = o.maxDevices ?? DEFAULT_MAX_DEVICES;
    if (!Number.isInteger(this.pointsPerDevice) || this.pointsPerDevice < 1) throw new RangeError(`pointsPerDevice must be a positive integer, got ${this.pointsPerDevice}`);
  }

  /**
   * Records a reading. One older than the device's newest is dropped: telemetry is QoS 0 and may
   * arrive out of order, and a chart's x axis must only go forward.
   */
  record(thing: string, s: TelemetrySample): void {
    if (!Number.isFinite(s.atSec) || s.atSec < 0 || s.atSec > 0xffffffff || !Number.isFinite(s.temp)) return;
    let ring = this.rings.get(thing);
    if (!ring) {
      if (this.rings.size >= this.maxDevices) return;
      ring = new DeviceRing(this.pointsPerDevice);
      this.rings.set(thing, ring);
    }
    const newest = ring.newestTime();
    if (newest !== undefined && s.atSec < newest) return;
    ring.push({ ...s, atSec: Math.floor(s.atSec), humid: s.humid !== undefined && Number.isFinite(s.humid) ? s.humid : undefined });
  }

  /** The device's readings, oldest first; empty columns for a device never heard. */
  series(thing: string): TelemetryColumns {
    return this.rings.get(thing)?.columns() ?? { at: [], temp: [], humid: [], tempUnit: [] };
  }

  /** How many devices have a ring (each costs pointsPerDevice × 13 bytes, plus ~300 bytes of objects). */
  get devices(): number {
    return this.rings.size;
  }

  forget(thing: string): void {
    this.rings.delete(thing);
  }
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
