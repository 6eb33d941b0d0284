import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { createLogger } from '../../core/log.js';
import { withCommonOptions, resolveConfig, type CommonArgs } from '../options.js';
import { resolveDeviceSecret, secretFileFor } from '../secrets.js';
import { onShutdown } from '../shutdown.js';
import { startCloudStack, type CloudStack } from '../stack.js';

type CloudArgs = CommonArgs & { broker?: string | undefined };

export function describeEndpoints(stack: CloudStack): string[] {
  const { cloud, api } = stack;
  const mqtt = new URL(cloud.mqttUrl);
  const sample = cloud.config.groups.find((g) => g.count > 0);
  const thing = sample ? `${sample.thingNamePrefix ?? sample.name}-00001` : 'THING';
  return [
    `  dashboard  ${api.url}/`,
    `  MQTT       ${cloud.mqttUrl}${cloud.broker ? `   (WebSocket: ${api.url.replace(/^http/, 'ws')}/mqtt)` : ''}`,
    `  HTTP       ${api.url}   (health: ${api.url}/_acfleet/health)`,
    `  telemetry  mosquitto_sub -h ${mqtt.hostname} -p ${mqtt.port} -t 'dt/acfleet/#' -v`,
    `  LED        curl -X POST ${api.url}/things/${thing}/shadow -d '{"state":{"desired":{"ledColor":"green"}}}'`,
    `  jobs       aws iot list-jobs --endpoint-url ${api.url}   (any dummy credentials; README: Workshop)`,
  ];
}

export const cloudCommand: CommandModule<object, CloudArgs> = {
  command: 'cloud',
  describe: 'run the local AWS IoT alone: broker, Device Shadow service, store and HTTP API',
  builder: (y: Argv) =>
    withCommonOptions(y).option('broker', { type: 'string', describe: 'use this external MQTT broker (e.g. mqtt://mosquitto:1883) instead of the embedded one' }) as unknown as Argv<CloudArgs>,
  handler: async (a: ArgumentsCamelCase<CloudArgs>) => {
    const config = resolveConfig(a);
    const log = createLogger(a['log-level'], 'acfleet-cloud');
    const deviceSecret = resolveDeviceSecret(config, a.state, true);
    const stack = await startCloudStack({ config, statePath: a.state, deviceSecret, log });
    const secretFile = secretFileFor(a.state);
    process.stdout.write(
      [
        `acfleet cloud is up: ${stack.cloud.thingCount} things registered`,
        ...describeEndpoints(stack),
        `  fleet      acfleet fleet --broker ${stack.cloud.mqttUrl}${secretFile ? ` --state ${a.state}` : '   (with ACFLEET_DEVICE_SECRET set)'}`,
        '',
      ].join('\n'),
    );
    onShutdown(() => stack.close(), log);
  },
};
