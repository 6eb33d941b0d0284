/**
 * What a job handler is: one kind of work a thermostat can do for an AWS IoT job. Handlers are
 * shared by every device of a process and keep no state of their own; the job agent holds the
 * per-device progress and passes it in.
 */
import type { LedColor } from '../../config/schema.js';
import type { DeviceContext } from '../context.js';
import type { Settings } from '../settings.js';
import type { ShadowClient } from '../shadow-client.js';
import type { DeviceStorage } from '../storage.js';

/** A job document as delivered over MQTT: always a JSON object (spec §1.3). */
export type JobDocument = Readonly<Record<string, unknown>>;

/** `statusDetails` of an update: keys `[a-zA-Z0-9:_-]{1,128}`, values strings of 1–1024 characters. */
export type StatusDetails = Record<string, string>;

/** The device as a handler sees it. */
export interface JobHost {
  readonly thingName: string;
  readonly ctx: DeviceContext;
  settings: Settings;
  /** What the device had when it left the factory: a factory reset goes back to it. */
  readonly factorySettings: Settings;
  firmwareVersion: string;
  /** Files, packages and services; undefined until a job first leaves something. */
  storage: DeviceStorage | undefined;
  readonly shadow: ShadowClient;
}

/** One execution being run. */
export interface JobRun {
  readonly jobId: string;
  /** Undefined when the service did not send one. */
  readonly executionNumber: number | undefined;
  readonly document: JobDocument;
  /** The LED colour before this execution first turned it blue; kept when a reconnect reruns it. */
  readonly ledBefore: LedColor;
  /**
   * The execution's statusDetails as last reported: those start-next returned (a resumed
   * execution's progress, after a reboot or crash), then each IN_PROGRESS update's.
   */
  readonly details: Readonly<StatusDetails>;
  /** Simulated ms one step of work takes: device.jobStepDuration, or the injected fault's duration. */
  readonly stepMs: number;
}

/** Continues a handler once its async work is done; the agent calls it only if the execution is still running. */
export type Resume = (host: JobHost, run: JobRun) => StepOutcome;

export type StepOutcome =
  /** Report progress, then come back for the next step after `waitMs` of simulated time. */
  | { status: 'IN_PROGRESS'; statusDetails: StatusDetails; waitMs: number; stepTimeoutInMinutes?: number }
  /**
   * Report progress if `statusDetails` is given, then run `work` (I/O such as a download). Its
   * result is applied through the returned Resume, unless the execution was abandoned, the
   * device went offline, or `timeoutMs` of simulated time passed first (→ FAILED); `signal`
   * aborts the work in those cases. A rejected promise fails the execution with its message.
   */
  | { status: 'AWAIT'; statusDetails?: StatusDetails; stepTimeoutInMinutes?: number; timeoutMs: number; work: (signal: AbortSignal) => Promise<Resume> }
  /**
   * Report progress (statusDetails must say how to finish, e.g. `{"step":"rebooting"}`), then,
   * once the service has accepted it, reboot: the device disconnects, comes back after its boot
   * time and start-next hands the execution back with those statusDetails.
   */
  | { status: 'REBOOT'; statusDetails: StatusDetails; stepTimeoutInMinutes?: number }
  | { status: 'SUCCEEDED' | 'FAILED'; statusDetails: StatusDetails };

export interface JobHandler {
  /** For logs. */
  readonly name: string;
  /** Values of the document's `operation` (or, failing that, `jobType`) this handler answers to. */
  readonly operations: readonly string[];
  /** For documents with neither `operation` nor `jobType`: is this the handler's kind of document? */
  matchesShape(doc: JobDocument): boolean;
  /** Why the document cannot be run, checked before the device changes anything (→ REJECTED). */
  check(doc: JobDocument): string | undefined;
  /**
   * Runs step `n` (from 0 in every run). Must be idempotent and resume from `run.details`: a
   * reconnect, reboot or crash mid-job reruns the execution from step 0, since start-next hands
   * back the IN_PROGRESS execution with the statusDetails last reported.
   */
  step(host: JobHost, run: JobRun, n: number): StepOutcome;
  /**
   * The execution was taken away mid-run (force-canceled, deleted, or failed by an injected
   * fault): undo what the run changed so far, leaving the device as it was before the job.
   */
  abandon?(host: JobHost, run: JobRun): void;
}

/** A FAILED outcome with `reason` fitted into statusDetails. */
export const failed = (reason: string, more: StatusDetails = {}): StepOutcome => ({ status: 'FAILED', statusDetails: { ...more, reason: detailValue(reason) } });

/**
 * `stepTimeoutInMinutes` for a step expected to take `ms` of simulated time, as a well-written
 * agent sets it: generous (three times the estimate, at least a minute), within AWS's 1–10080.
 */
export const stepTimeoutFor = (ms: number): number => Math.min(10_080, Math.max(1, Math.ceil((3 * ms) / 60_000)));

/** The longest statusDetails value AWS accepts. */
export const MAX_DETAIL_LENGTH = 1024;

/** Control characters, which AWS refuses in statusDetails values. */
const CONTROL = /\p{Cc}+/gu;

/** Fits text into a statusDetails value: never empty, no control characters (a space each run), at most 1024 characters, no split surrogate pair. */
export function detailValue(raw: string): string {
  const text = raw.replace(CONTROL, ' ');
  if (text.length === 0) return '-';
  if (text.length <= MAX_DETAIL_LENGTH) return text;
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(MAX_DETAIL_LENGTH - 1)) ? MAX_DETAIL_LENGTH - 1 : MAX_DETAIL_LENGTH;
  return text.slice(0, cut);
}
