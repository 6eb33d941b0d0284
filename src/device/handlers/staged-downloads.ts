/**
 * Downloads into the device's file system, shared by the download handler and
 * AWS-Download-File. Files are staged (marked with the job) as they arrive, committed
 * when the job succeeds, and removed if it fails or is taken away, so a canceled download leaves
 * nothing behind. Progress goes into statusDetails, which is also where a resumed run (after a
 * reconnect, reboot or crash) learns how many files are already done.
 */
import { MAX_FILES, filesReport, type StoredFile } from '../storage.js';
import { DOWNLOAD_TIMEOUT_MS, fetchFile, type Checksum } from './fetch-file.js';
import { failed, stepTimeoutFor, type JobHost, type JobRun, type Resume, type StatusDetails, type StepOutcome } from './handler.js';

export interface DownloadEntry {
  /** For statusDetails and reasons. */
  name: string;
  /** Absolute path on the device. */
  path: string;
  url: string;
  checksum: Checksum | undefined;
}

export interface DownloadPlan {
  entries: readonly DownloadEntry[];
  /** Keys every progress report carries (e.g. which action of a managed document this is). */
  base: StatusDetails;
  /** What follows once every file is staged. */
  done(host: JobHost, run: JobRun, bytes: number): StepOutcome;
}

/** Progress goes out before a run's first file and then every this many files, not once per file. */
export const REPORT_EVERY_FILES = 4;

/** Where a resumed run starts: the files and bytes its last report counted. */
export function resumePoint(details: Readonly<StatusDetails>): { index: number; bytes: number } {
  if (details.step !== 'downloading') return { index: 0, bytes: 0 };
  const index = Number(details.filesDone);
  const bytes = Number(details.bytes);
  return { index: Number.isInteger(index) && index >= 0 ? index : 0, bytes: Number.isFinite(bytes) && bytes >= 0 ? bytes : 0 };
}

function progress(plan: DownloadPlan, index: number, bytes: number): StatusDetails {
  const total = plan.entries.length;
  const details: StatusDetails = { ...plan.base, step: 'downloading', filesDone: String(index), filesTotal: String(total), bytes: String(bytes), progress: `${Math.floor((100 * index) / total)}%` };
  const entry = plan.entries[index];
  if (entry) details.file = entry.name;
  return details;
}

/**
 * Downloads entry `index` and the ones after it, `bytes` already counted, then hands over to
 * `plan.done`. A run starts (or resumes) with `first`, so it reports before its first download.
 */
export function downloadFrom(host: JobHost, run: JobRun, plan: DownloadPlan, index: number, bytes: number, first = false): StepOutcome {
  const entry = plan.entries[index];
  if (!entry) return plan.done(host, run, bytes);
  const fetchFn = host.ctx.fetch ?? fetch;
  const report = first || index % REPORT_EVERY_FILES === 0;
  const filesUntilNextReport = Math.min(REPORT_EVERY_FILES, plan.entries.length - index);
  return {
    status: 'AWAIT',
    ...(report ? { statusDetails: progress(plan, index, bytes), stepTimeoutInMinutes: stepTimeoutFor(filesUntilNextReport * DOWNLOAD_TIMEOUT_MS) } : {}),
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
    async work(signal): Promise<Resume> {
      const fetched = await fetchFile(fetchFn, entry.url, entry.checksum, signal);
      return (h, r) => {
        if (!fetched.ok) return failDownload(h, r, `${entry.name}: ${fetched.error}`, { file: entry.name });
        const full = stage(h, r, entry.path, fetched.value.bytes, fetched.value.sha256);
        if (full) return failDownload(h, r, `${entry.name}: ${full}`, { file: entry.name });
        return downloadFrom(h, r, plan, index + 1, bytes + fetched.value.bytes);
      };
    },
  };
}

/** Stores a downloaded file as staged by the run; the reason when the device has no room for it. */
function stage(host: JobHost, run: JobRun, path: string, bytes: number, sha256: string): string | undefined {
  const storage = (host.storage ??= {});
  const files = (storage.files ??= new Map<string, StoredFile>());
  if (!files.has(path) && files.size >= MAX_FILES) return `No space left on device (${MAX_FILES} files at most)`;
  files.set(path, { bytes, sha256, stagedBy: run.jobId });
  return undefined;
}

/** Keeps the run's staged files for good and reports the file system. */
export function commitStaged(host: JobHost, run: JobRun): void {
  const files = host.storage?.files;
  if (!files) return;
  for (const f of files.values()) if (f.stagedBy === run.jobId) f.stagedBy = undefined;
  host.shadow.report({ files: filesReport(files) });
}

/** Removes the run's staged files (failed or taken away); reports only if there were any. */
export function unstage(host: JobHost, run: JobRun): void {
  const files = host.storage?.files;
  if (!files) return;
  const removed: string[] = [];
  for (const [path, f] of files) if (f.stagedBy === run.jobId) removed.push(path);
  if (removed.length === 0) return;
  for (const path of removed) files.delete(path);
  host.shadow.report({ files: filesReport(files, removed) });
}

/** FAILED, after removing what the run had staged. */
export function failDownload(host: JobHost, run: JobRun, reason: string, more: StatusDetails = {}): StepOutcome {
  unstage(host, run);
  return failed(reason, more);
}
