/**
 * The jobs bench's fleet: one group, `SaoPaulo`, so one CreateJob reaches every device. Job steps
 * take no simulated time and telemetry comes once an hour, so what is timed is protocol and
 * service work, not simulated waiting or competing traffic. Jobs events are on: the bench watches them.
 */
import { validateConfig } from '../../src/config/load.js';
import type { FleetConfig } from '../../src/config/schema.js';

export const JOBS_GROUP = 'SaoPaulo';
/** What the workshop's job asks for (spec §11). */
export const JOB_DOCUMENT = '{"tempUnit":"celsius","ledColor":"green"}';

/** Where the services meet the broker: the embedded aedes, or an external one (mosquitto) with the cloud's login. */
export type JobsBrokerSpec = { type: 'embedded' } | { type: 'external'; url: string; username: string; password: string };

export function benchJobsConfig(devices: number, broker: JobsBrokerSpec = { type: 'embedded' }): FleetConfig {
  return validateConfig({
    seed: 7,
    speed: 1,
    broker: broker.type === 'embedded' ? { type: 'embedded', host: '127.0.0.1', port: 0 } : broker,
    http: { host: '127.0.0.1', port: 0 },
    telemetry: { interval: '1h' },
    device: { jobStepDuration: '0s' },
    events: { job: true, jobExecution: true },
    groups: [
      {
        name: JOBS_GROUP,
        count: devices,
        location: { city: 'São Paulo', country: 'BR', lat: -23.55, lon: -46.63, climate: { meanTemp: 21, dailySwing: 9, humidity: 78 } },
        initialState: { ledColor: 'red', tempUnit: 'fahrenheit', setpoint: 22, power: 'on' },
      },
    ],
  });
}
