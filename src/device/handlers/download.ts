/**
 * `{"operation":"download","version":"1.0","directory":"/installs","files":{"fileName":"sample_file","url":"…"}}`
 * (the AWS IoT Jobs download sample; `files` may also be a list). Each file is fetched, checked
 * against its checksum when the entry gives one (`sha256`, `checksum`), and stored under
 * `directory`; the shadow's `files` lists what the device holds. A 403, 404 or checksum mismatch
 * fails the job with the reason.
 */
import { err, ok, type Result } from '../../core/result.js';
import { isRecord } from '../json.js';
import { MAX_FILES, devicePath } from '../storage.js';
import { checkUrl, checksumOf } from './fetch-file.js';
import { detailValue, stepTimeoutFor, type JobDocument, type JobHandler, type StatusDetails } from './handler.js';
import { commitStaged, downloadFrom, resumePoint, unstage, type DownloadEntry, type DownloadPlan } from './staged-downloads.js';

/** A file name: no slash, no control character (it goes into statusDetails). */
const FILE_NAME = /^[^/\p{Cc}]{1,64}$/u;

/** The document's files, or why they cannot be downloaded. */
function entriesOf(doc: JobDocument): Result<DownloadEntry[], string> {
  const directory = doc.directory ?? '/';
  if (typeof directory !== 'string') return err('directory must be a string');
  const list = Array.isArray(doc.files) ? (doc.files as unknown[]) : doc.files === undefined ? [] : [doc.files];
  if (list.length === 0) return err('files must name at least one file ({"fileName":…,"url":…})');
  if (list.length > MAX_FILES) return err(`at most ${MAX_FILES} files per job`);
  const entries: DownloadEntry[] = [];
  for (const [i, f] of list.entries()) {
    if (!isRecord(f)) return err(`files[${i}] must be an object`);
    const name = f.fileName;
    if (typeof name !== 'string' || !FILE_NAME.test(name) || name === '.' || name === '..') return err(`files[${i}].fileName must be a file name (no "/")`);
    // The AWS jobs-agent sample puts the URL in fileSource.url.
    const url = f.url ?? (isRecord(f.fileSource) ? f.fileSource.url : undefined);
    const bad = checkUrl(url, `files[${i}].url`);
    if (bad !== undefined || typeof url !== 'string') return err(bad ?? 'url');
    const checksum = checksumOf(f);
    if (!checksum.ok) return err(`files[${i}]: ${checksum.error}`);
    const path = devicePath(directory, name);
    if (path === undefined) return err(`files[${i}]: the path ${directory}/${name} is too long`);
    entries.push({ name, path, url, checksum: checksum.value });
  }
  return ok(entries);
}

function plan(entries: DownloadEntry[], stepMs: number): DownloadPlan {
  return {
    entries,
    base: {},
    // Every file is in: storing them takes a step, then they are committed (see step()).
    done: (_host, _run, bytes) => ({
      status: 'IN_PROGRESS',
      statusDetails: { step: 'storing', filesDone: String(entries.length), filesTotal: String(entries.length), bytes: String(bytes), progress: '100%' },
      waitMs: stepMs,
      stepTimeoutInMinutes: stepTimeoutFor(stepMs),
    }),
  };
}

export const download: JobHandler = {
  name: 'download',
  operations: ['download'],

  matchesShape: () => false,

  check(doc) {
    const entries = entriesOf(doc);
    return entries.ok ? undefined : detailValue(`unacceptable download document: ${entries.error}`);
  },

  step(host, run) {
    const entries = entriesOf(run.document);
    // check() passed before the first step; the document does not change.
    if (!entries.ok) return { status: 'FAILED', statusDetails: { reason: detailValue(entries.error) } };
    if (run.details.step === 'storing') {
      commitStaged(host, run);
      const done: StatusDetails = { files: String(entries.value.length), bytes: run.details.bytes ?? '0' };
      return { status: 'SUCCEEDED', statusDetails: done };
    }
    const from = resumePoint(run.details);
    return downloadFrom(host, run, plan(entries.value, run.stepMs), from.index, from.bytes, true);
  },

  abandon: unstage,
};
