/**
 * Schemas of the job config objects that CreateJob and UpdateJob share (spec §3.3, §4.1–4.5,
 * §4.7), with members named exactly as in the botocore `iot` model, plus the field primitives the
 * request schemas build on. Every failed check is a zod issue whose message is the AWS-style
 * constraint ("Member must …"); `job-request.ts` turns issues into the 400 message.
 */
import { z } from 'zod';

/** Returns the constraint a string violates, or undefined. */
export type StringCheck = (s: string) => string | undefined;

/**
 * A string judged by `checks` in order; only the first failure is reported, so one bad value
 * yields one error (a 3000-char ARN is "too long", not also "not an ARN").
 */
export const checkedString = (...checks: StringCheck[]) =>
  z.string().superRefine((s, ctx) => {
    const violated = firstViolation(s, checks);
    if (violated !== undefined) ctx.addIssue({ code: 'custom', message: violated, input: s });
  });

export function firstViolation(s: string, checks: readonly StringCheck[]): string | undefined {
  for (const check of checks) {
    const violated = check(s);
    if (violated !== undefined) return violated;
  }
  return undefined;
}

/** Lengths count code points, as Smithy's length trait does, not UTF-16 units. */
export const length =
  (min: number, max: number): StringCheck =>
  (s) => {
    // Code points number between half the UTF-16 units and all of them, so counting is needed
    // only where that range straddles a bound.
    const units = s.length;
    const n = units > max || (units >= min && units < 2 * min) ? [...s].length : units;
    if (n > max) return `Member must have length less than or equal to ${max}`;
    if (n < min) return `Member must have length greater than or equal to ${min}`;
    return undefined;
  };

export const pattern =
  (re: RegExp): StringCheck =>
  (s) =>
    re.test(s) ? undefined : `Member must satisfy regular expression pattern: ${re.source}`;

/** Stands in for the model's `[^\p{C}]+` on free text (description, comment); control characters only. */
export const noControlChars: StringCheck = (s) => (/\p{Cc}/u.test(s) ? 'Member must not contain control characters' : undefined);

/** `arn:` then printable ASCII, as the model's JobTemplateArn and PackageVersionArn (1–1600). */
export const genericArn = checkedString(length(1, 1600), pattern(/^arn:[!-~]+$/));

/** Digits after the decimal point of the shortest round-trip form (`String(1e-7)` is `1e-7`: 7). */
export function decimalPlaces(n: number): number {
  const [mantissa = '', exponent = '0'] = String(n).toLowerCase().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

/** A number in [min, max] with at most `places` decimals; one issue per bad value, like checkedString. */
export const decimal = (min: number, max: number, places: number) =>
  z.number().superRefine((n, ctx) => {
    let violated: string | undefined;
    if (n < min) violated = `Member must have value greater than or equal to ${min}`;
    else if (n > max) violated = `Member must have value less than or equal to ${max}`;
    else if (decimalPlaces(n) > places) violated = `Member must have at most ${places} decimal place${places === 1 ? '' : 's'}`;
    if (violated !== undefined) ctx.addIssue({ code: 'custom', message: violated, input: n });
  });

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Null members count as absent, as AWS's JSON deserializers treat them; shallow, so only shapes we descend into are touched. */
const dropNullMembers = (v: unknown): unknown =>
  isPlainObject(v) ? Object.fromEntries(Object.entries(v).filter(([, member]) => member !== null)) : v;

/** A structure: a JSON object with the given members; unknown members are dropped (SDKs may add some). */
export const struct = <T extends z.core.$ZodLooseShape>(shape: T) => z.preprocess(dropNullMembers, z.object(shape));

// ---- presignedUrlConfig -------------------------------------------------------------------------

export const presignedUrlConfigSchema = struct({
  roleArn: checkedString(length(20, 2048)).optional(),
  expiresInSec: z.int().min(60).max(3600).optional(),
});

// ---- jobExecutionsRolloutConfig (§4.1) ----------------------------------------------------------

export const RATE_PER_MINUTE_MAX = 1000;

const rateIncreaseCriteria = struct({
  numberOfNotifiedThings: z.int().min(1).optional(),
  numberOfSucceededThings: z.int().min(1).optional(),
}).superRefine((c, ctx) => {
  if (c.numberOfNotifiedThings === undefined && c.numberOfSucceededThings === undefined) {
    ctx.addIssue({ code: 'custom', message: 'Member must set numberOfNotifiedThings or numberOfSucceededThings', input: c });
  }
});

export const jobExecutionsRolloutConfigSchema = struct({
  maximumPerMinute: z.int().min(1).max(RATE_PER_MINUTE_MAX).optional(),
  exponentialRate: struct({
    baseRatePerMinute: z.int().min(1).max(RATE_PER_MINUTE_MAX),
    incrementFactor: decimal(1.1, 5, 1),
    rateIncreaseCriteria,
  }).optional(),
});

// ---- abortConfig (§4.2) -------------------------------------------------------------------------

export const ABORT_FAILURE_TYPES = ['FAILED', 'REJECTED', 'TIMED_OUT', 'ALL'] as const;

export const abortConfigSchema = struct({
  criteriaList: z
    .array(
      struct({
        failureType: z.enum(ABORT_FAILURE_TYPES),
        action: z.enum(['CANCEL']),
        thresholdPercentage: decimal(0, 100, 2),
        minNumberOfExecutedThings: z.int().min(1),
      }),
    )
    .min(1),
});

// ---- timeoutConfig (§4.3) -----------------------------------------------------------------------

export const IN_PROGRESS_TIMEOUT_MAX_MINUTES = 10080;

export const timeoutConfigSchema = struct({
  inProgressTimeoutInMinutes: z.int().min(1).max(IN_PROGRESS_TIMEOUT_MAX_MINUTES).optional(),
});

// ---- jobExecutionsRetryConfig (§4.4) ------------------------------------------------------------

export const RETRY_FAILURE_TYPES = ['FAILED', 'TIMED_OUT', 'ALL'] as const;
export const RETRIES_MAX = 10;

export const jobExecutionsRetryConfigSchema = struct({
  criteriaList: z
    .array(struct({ failureType: z.enum(RETRY_FAILURE_TYPES), numberOfRetries: z.int().min(0).max(RETRIES_MAX) }))
    .min(1)
    .max(2),
}).superRefine((c, ctx) => {
  // ≤10 per device in total (§4.4; emulator choice). Only judged when every count is itself in
  // range, so a single 11 is reported once, at its own member.
  const counts = c.criteriaList.map((criteria) => criteria.numberOfRetries);
  if (!counts.every((n) => n >= 0 && n <= RETRIES_MAX)) return;
  if (counts.reduce((a, b) => a + b, 0) > RETRIES_MAX) {
    ctx.addIssue({
      code: 'custom',
      path: ['criteriaList'],
      message: `Member must have numberOfRetries totalling less than or equal to ${RETRIES_MAX}`,
      input: c.criteriaList,
    });
  }
});

// ---- schedulingConfig (§4.5) --------------------------------------------------------------------

const SCHEDULE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** Epoch ms of a `YYYY-MM-DDTHH:MM` UTC time; undefined when malformed or not a real date (2025-02-30). */
export function parseScheduleTime(s: string): number | undefined {
  const m = SCHEDULE_TIME.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (hour > 23 || minute > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute);
  const d = new Date(ms);
  // Date.UTC rolls over (Feb 30 → Mar 2); a round trip catches that.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return ms;
}

const scheduleTime = checkedString(length(1, 64), (s) =>
  parseScheduleTime(s) === undefined ? 'Member must be a UTC time of the form YYYY-MM-DDTHH:MM' : undefined,
);

/** `cron(min hour dom mon dow year)`: six fields; the fields themselves are judged where windows are computed. */
const CRON = /^cron\(\s*\S+(?:\s+\S+){5}\s*\)$/;

export const JOB_END_BEHAVIORS = ['STOP_ROLLOUT', 'CANCEL', 'FORCE_CANCEL'] as const;
export const MAINTENANCE_WINDOW_MAX_MINUTES = 1430;

export const schedulingConfigSchema = struct({
  startTime: scheduleTime.optional(),
  endTime: scheduleTime.optional(),
  endBehavior: z.enum(JOB_END_BEHAVIORS).optional(),
  maintenanceWindows: z
    .array(
      struct({
        startTime: checkedString(length(1, 256), (s) =>
          CRON.test(s) ? undefined : 'Member must be a cron expression cron(minutes hours day-of-month month day-of-week year)',
        ),
        durationInMinutes: z.int().min(1).max(MAINTENANCE_WINDOW_MAX_MINUTES),
      }),
    )
    .optional(),
});

// ---- the set ------------------------------------------------------------------------------------

export type PresignedUrlConfig = z.infer<typeof presignedUrlConfigSchema>;
export type JobExecutionsRolloutConfig = z.infer<typeof jobExecutionsRolloutConfigSchema>;
export type AbortConfig = z.infer<typeof abortConfigSchema>;
export type TimeoutConfig = z.infer<typeof timeoutConfigSchema>;
export type JobExecutionsRetryConfig = z.infer<typeof jobExecutionsRetryConfigSchema>;
export type SchedulingConfig = z.infer<typeof schedulingConfigSchema>;

export interface JobConfigs {
  presignedUrlConfig?: PresignedUrlConfig;
  jobExecutionsRolloutConfig?: JobExecutionsRolloutConfig;
  abortConfig?: AbortConfig;
  timeoutConfig?: TimeoutConfig;
  jobExecutionsRetryConfig?: JobExecutionsRetryConfig;
  schedulingConfig?: SchedulingConfig;
}

/** The configs UpdateJob may change (its model has no schedulingConfig). */
export const updatableConfigShape = {
  presignedUrlConfig: presignedUrlConfigSchema.optional(),
  jobExecutionsRolloutConfig: jobExecutionsRolloutConfigSchema.optional(),
  abortConfig: abortConfigSchema.optional(),
  timeoutConfig: timeoutConfigSchema.optional(),
  jobExecutionsRetryConfig: jobExecutionsRetryConfigSchema.optional(),
};

export const jobConfigShape = { ...updatableConfigShape, schedulingConfig: schedulingConfigSchema.optional() };
