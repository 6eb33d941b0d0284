import { z } from 'zod';
import { durationField as duration } from './duration.js';
import { checkFleetFaults, faultsPatchSchema } from './faults.js';

export const LED_COLORS = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'white', 'off'] as const;
export const TEMP_UNITS = ['fahrenheit', 'celsius'] as const;
export const POWER_STATES = ['on', 'off'] as const;
/** Setpoints a typical split A/C accepts, °C. */
export const SETPOINT_RANGE = { min: 16, max: 30 } as const;

export type LedColor = (typeof LED_COLORS)[number];
export type TempUnit = (typeof TEMP_UNITS)[number];
export type PowerState = (typeof POWER_STATES)[number];

const THING_NAME = /^[a-zA-Z0-9:_-]+$/;
const host = z.string().min(1);
const port = z.number().int().min(0).max(65535);

const climate = z
  .object({
    meanTemp: z.number().min(-40).max(50).describe('°C'),
    dailySwing: z.number().min(0).max(30).describe('°C, peak to trough'),
    humidity: z.number().min(0).max(100).describe('% relative humidity, mean outdoors'),
  })
  .strict();

const location = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and "-" only (it is part of the telemetry topic)')
      .optional(),
    city: z.string().min(1),
    country: z.string().min(2).max(56),
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    climate,
  })
  .strict();

const initialState = z
  .object({
    ledColor: z.enum(LED_COLORS).default('red'),
    tempUnit: z.enum(TEMP_UNITS).default('fahrenheit'),
    setpoint: z.number().min(SETPOINT_RANGE.min).max(SETPOINT_RANGE.max).default(22),
    power: z.enum(POWER_STATES).default('on'),
  })
  .strict();

const group = z
  .object({
    name: z.string().min(1).max(128).regex(THING_NAME, 'letters, digits, ":", "_" and "-" only (an AWS IoT thing group name)'),
    count: z.number().int().min(0).max(100_000),
    thingNamePrefix: z.string().min(1).max(100).regex(THING_NAME, 'letters, digits, ":", "_" and "-" only').optional(),
    location,
    initialState: initialState.default({ ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' }),
    /** Failure injection for this group's devices; wins over the top-level `faults`, field by field. */
    faults: faultsPatchSchema.optional(),
  })
  .strict();

const operatorCredentials = z.object({ username: z.string().min(1), password: z.string().min(8) }).strict();

const embeddedBroker = z
  .object({
    type: z.literal('embedded'),
    host: host.default('127.0.0.1'),
    port: port.default(1883),
    /** Key for per-device passwords (HMAC of the thing name); env ACFLEET_DEVICE_SECRET wins. */
    deviceSecret: z.string().min(16).optional(),
    /** Required when the broker listens beyond loopback; env ACFLEET_OPERATOR_USERNAME/PASSWORD win. */
    operator: operatorCredentials.optional(),
  })
  .strict();

const externalBroker = z
  .object({
    type: z.literal('external'),
    url: z.string().regex(/^(mqtts?|wss?|tcp):\/\/.+/, 'an MQTT URL such as mqtt://127.0.0.1:1883'),
    /** Credentials the cloud services log in with; env ACFLEET_CLOUD_USERNAME/PASSWORD win. */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    deviceSecret: z.string().min(16).optional(),
  })
  .strict();

export const fleetConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    speed: z.number().positive().max(10_000).default(1),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1').default('us-east-1'),
    account: z
      .string({ error: (iss) => (typeof iss.input === 'number' ? 'a 12-digit AWS account id in quotes (YAML reads unquoted digits as a number)' : undefined) })
      .regex(/^\d{12}$/, 'a 12-digit AWS account id, quoted')
      .default('123456789012'),
    broker: z.discriminatedUnion('type', [embeddedBroker, externalBroker]).default({ type: 'embedded', host: '127.0.0.1', port: 1883 }),
    http: z.object({ host: host.default('127.0.0.1'), port: port.default(8080) }).strict().default({ host: '127.0.0.1', port: 8080 }),
    telemetry: z
      .object({
        interval: duration(100, 86_400_000).default(10_000),
        topic: z
          .string()
          .refine((t) => t.includes('{thingName}'), 'must contain {thingName}, so each device has its own topic')
          .refine((t) => !/[#+]/.test(t) && !t.startsWith('$'), 'must be a plain topic: no "#", "+", or leading "$"')
          .default('dt/acfleet/{location}/{thingName}/telemetry'),
        qos: z.union([z.literal(0), z.literal(1)]).default(0),
      })
      .strict()
      .default({ interval: 10_000, topic: 'dt/acfleet/{location}/{thingName}/telemetry', qos: 0 }),
    device: z
      .object({
        keepalive: duration(30_000, 1_200_000).default(60_000),
        reconnectMin: duration(100, 600_000).default(1_000),
        reconnectMax: duration(1_000, 3_600_000).default(60_000),
        /** Simulated time a job handler spends on each step (the workshop's "applying" phase). */
        jobStepDuration: duration(0, 3_600_000).default(5_000),
        /** Simulated time a device takes to come back after a reboot job or an injected crash. */
        bootTime: duration(0, 3_600_000).default(30_000),
      })
      .strict()
      .default({ keepalive: 60_000, reconnectMin: 1_000, reconnectMax: 60_000, jobStepDuration: 5_000, bootTime: 30_000 }),
    shadow: z
      .object({
        /** AWS's quota is 8 KB of desired + reported state. */
        maxStateBytes: z.number().int().min(1024).max(1_048_576).default(8192),
        /** When update/delta is published (spec §8.4): after updates that set desired (AWS docs), or after any update. */
        deltaOn: z.enum(['desired-updates', 'any-update']).default('desired-updates'),
      })
      .strict()
      .default({ maxStateBytes: 8192, deltaOn: 'desired-updates' }),
    /** Jobs events on `$aws/events/job/…` and `$aws/events/jobExecution/…` (spec §5); off unless enabled, as on AWS. */
    events: z
      .object({
        job: z.boolean().default(false),
        jobExecution: z.boolean().default(false),
      })
      .strict()
      .default({ job: false, jobExecution: false }),
    /**
     * The local S3 stand-in (spec §7): `<directory>/<bucket>/<key>` is what S3 `documentSource` URLs
     * read and presigned URLs in job documents serve. Default `<state dir>/s3`.
     */
    files: z
      .object({ directory: z.string().min(1).optional() })
      .strict()
      .default({}),
    /** Failure injection for every group (issue 6 §2); none unless configured. */
    faults: faultsPatchSchema.optional(),
    groups: z.array(group).min(1, 'list at least one group of devices'),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.groups.forEach((g, i) => {
      const prefix = g.thingNamePrefix ?? g.name;
      const first = seen.get(prefix);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'thingNamePrefix'],
          input: prefix,
          message: `thing name prefix "${prefix}" is already used by groups[${first}]; thing names must be unique, so give each group its own thingNamePrefix`,
        });
      }
      seen.set(prefix, i);
    });
    if (cfg.device.reconnectMax < cfg.device.reconnectMin) {
      ctx.addIssue({ code: 'custom', path: ['device', 'reconnectMax'], input: cfg.device.reconnectMax, message: 'must not be shorter than device.reconnectMin' });
    }
    checkFleetFaults(cfg, ctx);
  });

export type FleetConfigInput = z.input<typeof fleetConfigSchema>;
export type FleetConfig = z.output<typeof fleetConfigSchema>;
export type GroupConfig = FleetConfig['groups'][number];
export type LocationConfig = GroupConfig['location'];
export type ClimateConfig = LocationConfig['climate'];
export type InitialState = GroupConfig['initialState'];
export type BrokerConfig = FleetConfig['broker'];
