import { randomBytes } from 'node:crypto';
import { IoTClient } from '@aws-sdk/client-iot';
import { startCloudStack, type CloudStack } from '../../src/cli/stack.js';
import { silentLogger } from '../../src/core/log.js';
import { testFleetConfig } from './fleet-config.js';
import { MessageLog, PlayedJobsDevice } from './played-jobs-device.js';
import { connectClient } from './mqtt.js';

/** An in-process cloud (embedded broker, random ports, in-memory store), the unmodified AWS SDK pointed at it, and an operator hearing `$aws/events/#`. */
export interface JobsStack {
  stack: CloudStack;
  /** http://127.0.0.1:<port> */
  http: string;
  iot: IoTClient;
  deviceSecret: string;
  /** Everything the operator received on `$aws/events/job/#` and `$aws/events/jobExecution/#`. */
  events: MessageLog;
  /** The device played by the test for this thing (one connection per thing, reused); closed by `close()`. */
  device(thing: string): Promise<PlayedJobsDevice>;
  close(): Promise<void>;
}

/** `filesDirectory`: the local S3 (`files.directory`); without it, `.acfleet/s3` under the working directory. */
export async function startJobsStack(o: { alpha?: number; beta?: number; filesDirectory?: string } = {}): Promise<JobsStack> {
  const deviceSecret = randomBytes(16).toString('hex');
  const config = testFleetConfig({ alpha: o.alpha ?? 6, beta: o.beta ?? 4 });
  if (o.filesDirectory !== undefined) config.files = { directory: o.filesDirectory };
  const stack = await startCloudStack({ config, statePath: ':memory:', deviceSecret, log: silentLogger() });
  const http = stack.api.url;
  // Unmodified AWS SDK v3 with dummy credentials.
  const iot = new IoTClient({ endpoint: http, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  // Anonymous on loopback: an operator.
  const operator = await connectClient(stack.cloud.mqttUrl, { clientId: `jobs-operator-${randomBytes(4).toString('hex')}` });
  await operator.subscribeAsync(['$aws/events/job/#', '$aws/events/jobExecution/#'], { qos: 1 });
  const events = new MessageLog(operator);
  const devices = new Map<string, PlayedJobsDevice>();
  return {
    stack,
    http,
    iot,
    deviceSecret,
    events,
    device: async (thing) => {
      const known = devices.get(thing);
      if (known) return known;
      const d = await PlayedJobsDevice.connect(stack.cloud.mqttUrl, deviceSecret, thing);
      devices.set(thing, d);
      return d;
    },
    close: async () => {
      iot.destroy();
      for (const d of devices.values()) await d.close().catch(() => undefined);
      await operator.endAsync(true).catch(() => undefined);
      await stack.close();
    },
  };
}

/** The raw JSON of an unsigned control-plane GET (unsigned requests go to service `iot`). */
export async function rawGet(url: string): Promise<{ status: number; errorType: string | null; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Record<string, unknown> };
}
