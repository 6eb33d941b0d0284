/**
 * What a job handler is: one kind of work a thermostat can do for an AWS IoT job. Handlers are
 * shared by every device of a process and keep no state of their own; the job agent holds the
 * per-device progress and passes it in.
 */
import type { LedColor } from '../../config/schema.js';
import type { DeviceContext } from '../context.js';
import type { Settings } from '../settings.js';
import type { ShadowClient } from '../shadow-client.js';

/** A job document as delivered over MQTT: always a JSON object (spec §1.3). */
export type JobDocument = Readonly<Record<string, unknown>>;

/** `statusDetails` of an update: keys `[a-zA-Z0-9:_-]{1,128}`, values strings of 1–1024 characters. */
export type StatusDetails = Record<string, string>;

/** The device as a handler sees it. */
export interface JobHost {
  readonly thingName: string;
  readonly ctx: DeviceContext;
  settings: Settings;
  readonly shadow: ShadowClient;
}

/** One execution being run. */
export interface JobRun {
  readonly jobId: string;
  readonly document: JobDocument;
  /** The LED colour before this execution first turned it blue; kept when a reconnect reruns it. */
  readonly ledBefore: LedColor;
}

export type StepOutcome =
  /** Report progress, then come back for the next step after `waitMs` of simulated time. */
  | { status: 'IN_PROGRESS'; statusDetails: StatusDetails; waitMs: number }
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
   * Runs step `n` (from 0). Must be idempotent: a reconnect mid-job reruns the execution from
   * step 0, since start-next hands back the IN_PROGRESS execution.
   */
  step(host: JobHost, run: JobRun, n: number): StepOutcome;
  /** The execution was taken away mid-run (force-canceled, deleted): leave the device consistent. */
  abandon?(host: JobHost, run: JobRun): void;
}

/** The longest statusDetails value AWS accepts. */
export const MAX_DETAIL_LENGTH = 1024;

/** Fits text into a statusDetails value: never empty, at most 1024 characters, no split surrogate pair. */
export function detailValue(text: string): string {
  if (text.length === 0) return '-';
  if (text.length <= MAX_DETAIL_LENGTH) return text;
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(MAX_DETAIL_LENGTH - 1)) ? MAX_DETAIL_LENGTH - 1 : MAX_DETAIL_LENGTH;
  return text.slice(0, cut);
}
