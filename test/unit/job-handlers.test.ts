/**
 * The job handlers of issue 6 §1 on one thermostat, with the test playing the jobs and shadow
 * services and a fake fetch serving downloads: each handler's success and failure, resuming after
 * a reboot, the AWS managed templates' documents, and anything else REJECTED.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { substituteParameters } from '../../src/cloud/jobs/documents.js';
import { findManagedTemplate } from '../../src/cloud/jobs/managed-templates.js';
import { DEFAULT_BOOT_MS } from '../../src/device/context.js';
import { DOWNLOAD_TIMEOUT_MS } from '../../src/device/handlers/fetch-file.js';
import { detailValue } from '../../src/device/handlers/handler.js';
import { JobPhase } from '../../src/device/job-agent.js';
import { DeviceState } from '../../src/device/lifecycle.js';
import { FakeFetch } from '../helpers/fake-fetch.js';
import { P, answerStartNext, answerUpdate, connect, execution, lastUpdate, reportedState, settle, startNexts, updates, type Body } from '../helpers/job-rig.js';
import { RIG_JOB_STEP, thermostatRig, type RigOptions, type ThermostatRig } from '../helpers/thermostat-rig.js';

const STEP = RIG_JOB_STEP;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

const SAMPLE = 'hello from the file host\n';
const URL_SAMPLE = 'http://files.test/_acfleet/files/bucket/sample_file?X-Amz-Signature=abc';

function rig(o: RigOptions = {}): ThermostatRig {
  const r = thermostatRig(o);
  connect(r);
  return r;
}

/** The device's IN_PROGRESS updates of `jobId`: their statusDetails. */
const progress = (r: ThermostatRig, jobId: string): Body[] => updates(r, jobId).filter((u) => u.status === 'IN_PROGRESS').map((u) => u.statusDetails as Body);

/** Answers every update of `jobId` the device has sent and not had answered (in these tests: the newest). */
const accept = (r: ThermostatRig, jobId: string): void => answerUpdate(r, jobId);

/** The device goes through its reboot after the service accepted the update announcing it, and asks for its job again. */
function rebootAndReconnect(r: ThermostatRig, bootMs = DEFAULT_BOOT_MS): void {
  expect(r.device.state).toBe(DeviceState.Offline);
  const opens = r.conn.opens;
  r.clock.advance(bootMs - 1);
  expect(r.conn.opens).toBe(opens);
  r.clock.advance(1);
  expect(r.conn.opens).toBe(opens + 1);
  connect(r);
}

/** A managed template's document as a device receives it (parameters substituted by the cloud's own code). */
function managedDocument(name: string, params: Record<string, string> = {}): Body {
  const template = findManagedTemplate(name);
  if (!template) throw new Error(`no template ${name}`);
  const doc = substituteParameters(template, params);
  if (!doc.ok) throw new Error(doc.error.message);
  return JSON.parse(doc.value) as Body;
}

describe('customJob (the AWS device SDK sample operation)', () => {
  it('logs and succeeds at once, with its otherInfo', () => {
    const r = rig();
    answerStartNext(r, execution('example-job-01', { operation: 'customJob', otherInfo: 'someValue' }));
    expect(updates(r, 'example-job-01')).toEqual([expect.objectContaining({ status: 'SUCCEEDED', statusDetails: { operation: 'customJob', otherInfo: 'someValue' } })]);
    answerUpdate(r, 'example-job-01');
    expect(r.ctx.counters).toMatchObject({ jobsStarted: 1, jobsSucceeded: 1 });
  });
});

describe('download', () => {
  const doc = (files: unknown): Body => ({ operation: 'download', version: '1.0', directory: '/installs', files });

  it('fetches the file, verifies its checksum, stores it, reports bytes and progress, then SUCCEEDED', async () => {
    const f = new FakeFetch().file(URL_SAMPLE, SAMPLE);
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('dl', doc({ fileName: 'sample_file', url: URL_SAMPLE, sha256: sha256(SAMPLE) })));
    const first = lastUpdate(r, 'dl');
    expect(first).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'downloading', file: 'sample_file', filesDone: '0', filesTotal: '1', bytes: '0', progress: '0%' } });
    // A long step: the device says how long the service should wait for its next word.
    expect(first.stepTimeoutInMinutes).toBeGreaterThanOrEqual(DOWNLOAD_TIMEOUT_MS / 60_000);
    accept(r, 'dl');
    await settle();
    expect(f.calls).toEqual([URL_SAMPLE]);
    expect(lastUpdate(r, 'dl')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'storing', filesDone: '1', bytes: String(SAMPLE.length), progress: '100%' } });
    accept(r, 'dl');
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'dl')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { files: '1', bytes: String(SAMPLE.length) } });
    expect(reportedState(r).files).toEqual({ '/installs/sample_file': { bytes: SAMPLE.length, sha256: sha256(SAMPLE) } });
    accept(r, 'dl');
    expect(r.ctx.counters).toMatchObject({ jobsSucceeded: 1, errors: 0 });
  });

  it('takes `files` as a list and reports progress every few files, not after each', async () => {
    const f = new FakeFetch();
    const files = Array.from({ length: 6 }, (_, i) => ({ fileName: `part-${i}`, url: `http://files.test/part-${i}` }));
    for (const file of files) f.file(file.url, `${file.fileName} data`);
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('many', doc(files)));
    await settle();
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'many').status).toBe('SUCCEEDED');
    expect(progress(r, 'many').map((d) => `${d.step} ${d.filesDone}/${d.filesTotal}`)).toEqual(['downloading 0/6', 'downloading 4/6', 'storing 6/6']);
    expect(Object.keys(reportedState(r).files as Body)).toEqual(files.map((x) => `/installs/${x.fileName}`));
  });

  it.each([
    ['a 403 (altered presigned URL)', (f: FakeFetch) => f.error(URL_SAMPLE, 403, 'AccessDenied', 'Request has expired'), /HTTP 403 Forbidden: AccessDenied: Request has expired/],
    ['a 404', (f: FakeFetch) => f.error(URL_SAMPLE, 404, 'NoSuchKey', 'The specified key does not exist.'), /HTTP 404 Not Found: NoSuchKey/],
    ['a checksum mismatch', (f: FakeFetch) => f.file(URL_SAMPLE, 'tampered'), /checksum mismatch: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/],
    ['an unreachable host', (f: FakeFetch) => f, /fetch failed: getaddrinfo ENOTFOUND files.test/],
  ])('%s → FAILED with the reason, and no file is kept', async (_name, serve, reason) => {
    const f = new FakeFetch().file('http://files.test/first', 'first file');
    serve(f);
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('dl', doc([{ fileName: 'first', url: 'http://files.test/first' }, { fileName: 'sample_file', url: URL_SAMPLE, checksum: `sha256:${sha256(SAMPLE)}` }])));
    await settle();
    const failed = lastUpdate(r, 'dl');
    expect(failed).toMatchObject({ status: 'FAILED', statusDetails: { file: 'sample_file' } });
    expect((failed.statusDetails as Body).reason).toMatch(reason);
    // The first file was staged, then removed with the job's failure.
    expect(r.device.storage?.files?.size ?? 0).toBe(0);
  });

  it('resumes from the statusDetails start-next hands back: files already done are not fetched again', async () => {
    const f = new FakeFetch().file('http://files.test/a', 'aaaa').file('http://files.test/b', 'bb');
    const r = rig({ fetch: f.fetch });
    const files = [{ fileName: 'a', url: 'http://files.test/a' }, { fileName: 'b', url: 'http://files.test/b' }];
    answerStartNext(r, execution('dl', doc(files), { statusDetails: { step: 'downloading', filesDone: '1', filesTotal: '2', bytes: '4', progress: '50%' } }));
    // The resumed run reports where it starts from, before its first download.
    expect(lastUpdate(r, 'dl')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'downloading', file: 'b', filesDone: '1', bytes: '4', progress: '50%' } });
    await settle();
    expect(f.calls).toEqual(['http://files.test/b']);
    expect(lastUpdate(r, 'dl')).toMatchObject({ statusDetails: { step: 'storing', bytes: '6' } });
  });

  it('a canceled execution stops the download; its late answer is ignored', async () => {
    const f = new FakeFetch().hold(URL_SAMPLE);
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('dl', doc({ fileName: 'sample_file', url: URL_SAMPLE })));
    accept(r, 'dl');
    expect(f.held).toHaveLength(1);
    // Force-canceled: notify-next names another head (here: none).
    r.conn.deliver(`${P}/notify-next`, { timestamp: 2 });
    expect(f.held[0]?.signal.aborted).toBe(true);
    f.held[0]?.release(new Response(SAMPLE));
    await settle();
    expect(updates(r, 'dl')).toHaveLength(1);
    expect(r.device.storage).toBeUndefined();
    expect(startNexts(r)).toBe(2);
  });

  it('gives up on a download that takes longer than its timeout (simulated time) → FAILED', async () => {
    const f = new FakeFetch().hold(URL_SAMPLE);
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('dl', doc({ fileName: 'sample_file', url: URL_SAMPLE })));
    r.clock.advance(DOWNLOAD_TIMEOUT_MS);
    expect(lastUpdate(r, 'dl')).toMatchObject({ status: 'FAILED', statusDetails: { reason: expect.stringContaining('timed out') as string } });
    expect(f.held[0]?.signal.aborted).toBe(true);
    f.held[0]?.release(new Response(SAMPLE));
    await settle();
    expect(updates(r, 'dl')).toHaveLength(2);
  });

  it.each([
    ['no files', doc([])],
    ['an ftp URL', doc({ fileName: 'x', url: 'ftp://files.test/x' })],
    ['a file name with a slash', doc({ fileName: '../etc/passwd', url: URL_SAMPLE })],
    ['a checksum that is not hex', doc({ fileName: 'x', url: URL_SAMPLE, checksum: 'not-hex' })],
  ])('rejects a document with %s before downloading anything', (_name, d) => {
    const f = new FakeFetch();
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('bad', d));
    expect(lastUpdate(r, 'bad')).toMatchObject({ status: 'REJECTED', statusDetails: { reason: expect.stringContaining('unacceptable download document') as string } });
    expect(f.calls).toEqual([]);
  });
});

describe('APT_UPDATE', () => {
  it('installs a known package into the package list the shadow shows', () => {
    const r = rig();
    answerStartNext(r, execution('apt', { jobType: 'APT_UPDATE', aptPackageName: 'cowsay' }));
    const first = lastUpdate(r, 'apt');
    expect(first).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'installing', package: 'cowsay' }, stepTimeoutInMinutes: 1 });
    accept(r, 'apt');
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'apt')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { package: 'cowsay', version: expect.any(String) as string } });
    expect(reportedState(r).packages).toEqual(['cowsay']);
  });

  it('an unknown package → FAILED as apt-get words it; nothing installed', () => {
    const r = rig();
    answerStartNext(r, execution('apt', { jobType: 'APT_UPDATE', aptPackageName: 'no-such-package' }));
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'apt')).toMatchObject({ status: 'FAILED', statusDetails: { reason: 'E: Unable to locate package no-such-package' } });
    expect(r.device.storage).toBeUndefined();
  });

  it('a document without a package name is REJECTED', () => {
    const r = rig();
    answerStartNext(r, execution('apt', { jobType: 'APT_UPDATE' }));
    expect(lastUpdate(r, 'apt')).toMatchObject({ status: 'REJECTED', statusDetails: { reason: 'aptPackageName must be a package name' } });
  });
});

describe('reboot and factory reset', () => {
  it('reboot: announces it, disconnects once the service has that, comes back after its boot time and finishes', () => {
    const r = rig({ bootMs: 45_000 });
    answerStartNext(r, execution('rb', { operation: 'reboot' }));
    const announced = lastUpdate(r, 'rb');
    expect(announced).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'rebooting' }, stepTimeoutInMinutes: 3 });
    expect(r.device.jobs.phase).toBe(JobPhase.Rebooting);
    expect(r.device.state).toBe(DeviceState.Online);
    accept(r, 'rb');
    expect(r.conn.closeModes).toEqual(['clean']);
    rebootAndReconnect(r, 45_000);
    // start-next hands back the IN_PROGRESS execution with what the device last reported.
    answerStartNext(r, execution('rb', { operation: 'reboot' }, { versionNumber: 3, statusDetails: { step: 'rebooting' } }));
    expect(lastUpdate(r, 'rb')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { step: 'rebooted' }, expectedVersion: 3 });
    answerUpdate(r, 'rb');
    expect(r.ctx.counters).toMatchObject({ jobsStarted: 1, jobsSucceeded: 1 });
  });

  it('factory reset: settings back to the factory’s, files and packages gone, reboot, done', () => {
    const r = rig();
    answerStartNext(r, execution('apt', { jobType: 'APT_UPDATE', aptPackageName: 'nginx' }));
    r.clock.advance(STEP);
    answerUpdate(r, 'apt');
    r.device.settings = { ...r.device.settings, ledColor: 'green', tempUnit: 'celsius' };
    answerStartNext(r, execution('reset', { operation: 'factoryReset' }));
    expect(lastUpdate(r, 'reset')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'erasing' } });
    accept(r, 'reset');
    r.clock.advance(STEP);
    expect(r.device.settings).toEqual({ ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' });
    expect(r.device.storage).toBeUndefined();
    const state = reportedState(r);
    expect(state).toMatchObject({ ledColor: 'red', tempUnit: 'fahrenheit' });
    expect(state.packages).toBeUndefined();
    expect(state.services).toBeUndefined();
    expect(lastUpdate(r, 'reset')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'rebooting' } });
    accept(r, 'reset');
    rebootAndReconnect(r);
    answerStartNext(r, execution('reset', { operation: 'factoryReset' }, { versionNumber: 4, statusDetails: { step: 'rebooting' } }));
    expect(lastUpdate(r, 'reset')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { step: 'reset' } });
  });
});

describe('firmware update', () => {
  const IMAGE = 'firmware 2.1.0 image bytes';
  const doc = (checksum: string): Body => ({ operation: 'firmwareUpdate', firmwareVersion: '2.1.0', url: 'http://files.test/fw-2.1.0.bin', sha256: checksum });

  it('downloads and verifies the image, installs it, reboots, and reports the new firmwareVersion', async () => {
    const f = new FakeFetch().file('http://files.test/fw-2.1.0.bin', IMAGE);
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('fw', doc(sha256(IMAGE))));
    expect(lastUpdate(r, 'fw')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'downloading', firmwareVersion: '2.1.0', from: '1.1.0' } });
    await settle();
    expect(lastUpdate(r, 'fw')).toMatchObject({ statusDetails: { step: 'installing', bytes: String(IMAGE.length), sha256: sha256(IMAGE) } });
    r.clock.advance(STEP);
    const rebooting = lastUpdate(r, 'fw');
    expect(rebooting).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'rebooting', firmwareVersion: '2.1.0', from: '1.1.0' } });
    expect(r.device.firmwareVersion).toBe('1.1.0');
    accept(r, 'fw');
    rebootAndReconnect(r);
    answerStartNext(r, execution('fw', doc(sha256(IMAGE)), { versionNumber: 5, statusDetails: rebooting.statusDetails as Record<string, string> }));
    expect(lastUpdate(r, 'fw')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { firmwareVersion: '2.1.0', previousVersion: '1.1.0' } });
    expect(r.device.firmwareVersion).toBe('2.1.0');
    expect(reportedState(r).firmwareVersion).toBe('2.1.0');
    // One download: the resumed run did not fetch the image again.
    expect(f.calls).toHaveLength(1);
  });

  it('a corrupt image → FAILED, the old firmware stays and the device does not reboot', async () => {
    const f = new FakeFetch().file('http://files.test/fw-2.1.0.bin', 'corrupt');
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('fw', doc(sha256(IMAGE))));
    await settle();
    expect(lastUpdate(r, 'fw')).toMatchObject({ status: 'FAILED', statusDetails: { reason: expect.stringContaining('checksum mismatch') as string } });
    expect(r.device.firmwareVersion).toBe('1.1.0');
    expect(r.conn.closes).toBe(0);
  });
});

describe('AWS managed templates', () => {
  it('AWS-Install-Application installs the packages; a package’s service starts with it', () => {
    const r = rig();
    answerStartNext(r, execution('install', managedDocument('AWS-Install-Application', { packages: 'cowsay nginx' })));
    expect(lastUpdate(r, 'install')).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { action: 'Install-Application', actionIndex: '0', actions: '1', step: 'running' } });
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'install')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { packages: 'cowsay nginx' } });
    expect(reportedState(r)).toMatchObject({ packages: ['cowsay', 'nginx'], services: { nginx: 'running' } });
  });

  it('AWS-Install-Application with a package the repository lacks → FAILED', () => {
    const r = rig();
    answerStartNext(r, execution('install', managedDocument('AWS-Install-Application', { packages: 'cowsay warez' })));
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'install')).toMatchObject({ status: 'FAILED', statusDetails: { reason: 'E: Unable to locate package warez', action: 'Install-Application' } });
    expect(r.device.storage?.packages).toBeUndefined();
  });

  it('Stop-, Start-, Restart- and Remove-Application act on the device’s services and packages', () => {
    const r = rig();
    const run = (jobId: string, doc: Body): Body => {
      answerStartNext(r, execution(jobId, doc));
      r.clock.advance(STEP);
      const out = lastUpdate(r, jobId);
      answerUpdate(r, jobId);
      return out;
    };
    expect(run('i', managedDocument('AWS-Install-Application', { packages: 'nginx' })).status).toBe('SUCCEEDED');
    expect(run('stop', managedDocument('AWS-Stop-Application', { services: 'nginx cron' })).status).toBe('SUCCEEDED');
    expect(reportedState(r).services).toEqual({ nginx: 'stopped', cron: 'stopped' });
    expect(run('restart', managedDocument('AWS-Restart-Application', { services: 'cron' })).status).toBe('SUCCEEDED');
    expect(run('start', managedDocument('AWS-Start-Application', { services: 'nginx' })).status).toBe('SUCCEEDED');
    expect(reportedState(r).services).toEqual({ nginx: 'running', cron: 'running' });
    expect(run('missing', managedDocument('AWS-Start-Application', { services: 'mosquitto' }))).toMatchObject({ status: 'FAILED', statusDetails: { reason: 'Unit mosquitto.service not found.' } });
    expect(run('remove', managedDocument('AWS-Remove-Application', { packages: 'nginx' })).status).toBe('SUCCEEDED');
    expect(reportedState(r)).toMatchObject({ packages: [], services: { cron: 'running' } });
  });

  it('AWS-Download-File stores the file at filePath', async () => {
    const f = new FakeFetch().file(URL_SAMPLE, SAMPLE);
    const r = rig({ fetch: f.fetch });
    answerStartNext(r, execution('dlf', managedDocument('AWS-Download-File', { downloadUrl: URL_SAMPLE, filePath: 'path/to/file' })));
    expect(lastUpdate(r, 'dlf')).toMatchObject({ statusDetails: { action: 'Download-File', step: 'downloading' } });
    await settle();
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'dlf')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { file: '/path/to/file' } });
    expect(reportedState(r).files).toEqual({ '/path/to/file': { bytes: SAMPLE.length, sha256: sha256(SAMPLE) } });
  });

  it('AWS-Reboot reboots and finishes after the device is back', () => {
    const r = rig();
    answerStartNext(r, execution('reboot', managedDocument('AWS-Reboot')));
    const announced = lastUpdate(r, 'reboot');
    expect(announced).toMatchObject({ statusDetails: { action: 'Reboot', step: 'rebooting' } });
    accept(r, 'reboot');
    rebootAndReconnect(r);
    answerStartNext(r, execution('reboot', managedDocument('AWS-Reboot'), { versionNumber: 3, statusDetails: announced.statusDetails as Record<string, string> }));
    expect(lastUpdate(r, 'reboot')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { actions: '1' } });
  });

  it('AWS-Run-Command runs a simulated command: its output in statusDetails; an unknown program → FAILED 127', () => {
    const r = rig();
    answerStartNext(r, execution('echo', managedDocument('AWS-Run-Command', { command: 'echo,hello\\, world' })));
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'echo')).toMatchObject({ status: 'SUCCEEDED', statusDetails: { exitCode: '0', output: 'hello, world' } });
    answerUpdate(r, 'echo');
    answerStartNext(r, execution('rm', managedDocument('AWS-Run-Command', { command: 'rm,-rf,/' })));
    r.clock.advance(STEP);
    expect(lastUpdate(r, 'rm')).toMatchObject({ status: 'FAILED', statusDetails: { exitCode: '127', output: 'rm: command not found', reason: 'rm exited with 127' } });
  });

  it('a runHandler step naming a script the device lacks is REJECTED', () => {
    const r = rig();
    const doc = { version: '1.0', steps: [{ action: { name: 'Wipe', type: 'runHandler', input: { handler: 'wipe.sh', args: [] } } }] };
    answerStartNext(r, execution('wipe', doc));
    expect(lastUpdate(r, 'wipe')).toMatchObject({ status: 'REJECTED', statusDetails: { reason: expect.stringContaining('no handler "wipe.sh"') as string } });
  });
});

describe('statusDetails values', () => {
  it('never carry control characters, which AWS refuses (command output, error messages)', () => {
    expect(detailValue('line 1\nline 2\r\n\tend')).toBe('line 1 line 2 end');
    expect(detailValue('')).toBe('-');
    expect(detailValue('x'.repeat(2000))).toHaveLength(1024);
  });
});

describe('anything else', () => {
  it.each([
    ['an unknown operation', { operation: 'selfDestruct' }],
    ['an unknown jobType', { jobType: 'DNF_UPDATE', packageName: 'x' }],
    ['a document of no known shape', { otherInfo: 'x' }],
  ])('%s → REJECTED with the reason, before anything changes', (_name, doc) => {
    const r = rig();
    answerStartNext(r, execution('what', doc));
    const rejected = lastUpdate(r, 'what');
    expect(rejected.status).toBe('REJECTED');
    expect(typeof (rejected.statusDetails as Body).reason).toBe('string');
    expect(r.device.settings.ledColor).toBe('red');
    expect(r.ctx.counters.jobsStarted).toBe(0);
  });
});
