import { startApiServer, type ApiServer } from '../api/server.js';
import { CloudRuntime } from '../cloud/runtime.js';
import type { FleetConfig } from '../config/schema.js';
import { ScaledClock, type ClockEpoch } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { isLoopbackHost } from '../broker/embedded.js';
import { cloudCredentials, operatorCredentials } from './secrets.js';
import { storedClockEpoch } from './stored-clock.js';

export interface CloudStack {
  cloud: CloudRuntime;
  api: ApiServer;
  close(): Promise<void>;
}

/** The whole cloud process: broker, services, store and HTTP API. */
export async function startCloudStack(o: { config: FleetConfig; statePath: string; deviceSecret: string; log: Logger; epoch?: ClockEpoch }): Promise<CloudStack> {
  const clock = new ScaledClock(o.epoch ?? (o.statePath === ':memory:' ? o.config.speed : storedClockEpoch(o.statePath, o.config.speed, Date.now())));
  const cloud = await CloudRuntime.start({
    config: o.config,
    statePath: o.statePath,
    clock,
    clockEpoch: clock.epoch,
    deviceSecret: o.deviceSecret,
    operator: operatorCredentials(o.config),
    serviceCredentials: cloudCredentials(o.config),
    log: o.log,
  });
  let api: ApiServer;
  try {
    api = await startApiServer(cloud, o.config.http.host, o.config.http.port, o.log);
  } catch (e) {
    await cloud.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`HTTP port ${o.config.http.port} is already in use: stop the other server or pass --http-port (0 picks a free one)`);
    throw e;
  }
  if (!isLoopbackHost(o.config.http.host)) {
    // SigV4 signatures are not verified yet: beyond loopback, anyone who reaches the port can use the API.
    o.log.warn({ host: o.config.http.host }, 'the HTTP API listens beyond loopback and does not authenticate requests: anyone who can reach it can read and change shadows and publish');
  }
  return {
    cloud,
    api,
    close: async () => {
      await api.close();
      await cloud.close();
    },
  };
}
