import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { CLOUD_USERNAME, renderAcl, renderMosquittoConf, renderPasswordFile } from '../../broker/mosquitto-files.js';
import { isLoopbackHost } from '../../broker/embedded.js';
import { fleetThings } from '../../cloud/registry/fleet-things.js';
import { withCommonOptions, resolveConfig, type CommonArgs } from '../options.js';
import { cloudCredentials, operatorCredentials, resolveDeviceSecret } from '../secrets.js';

type MosquittoArgs = CommonArgs & { out: string; port: number; 'listen-host': string; 'run-as'?: string | undefined };

export const mosquittoConfigCommand: CommandModule<object, MosquittoArgs> = {
  command: 'mosquitto-config',
  describe: "write a mosquitto config, ACL and password file enforcing the embedded broker's rules for this fleet",
  builder: (y: Argv) =>
    withCommonOptions(y)
      .option('out', { type: 'string', default: '.acfleet/mosquitto', describe: 'directory to write into' })
      .option('port', { type: 'number', default: 1883, describe: 'port mosquitto listens on' })
      .option('listen-host', { type: 'string', default: '127.0.0.1', describe: 'address mosquitto binds (beyond loopback, operators must log in)' })
      .option('run-as', {
        type: 'string',
        describe: 'user mosquitto runs as when started as root (it must be able to read the 0600 password file; default: mosquitto\'s own "mosquitto")',
      }) as unknown as Argv<MosquittoArgs>,
  handler: (a: ArgumentsCamelCase<MosquittoArgs>) => {
    const config = resolveConfig(a);
    const out = resolve(a.out);
    mkdirSync(out, { recursive: true });
    const deviceSecret = resolveDeviceSecret(config, a.state, true);
    const cloud = cloudCredentials(config) ?? { username: CLOUD_USERNAME, password: randomBytes(18).toString('base64url') };
    const operator = operatorCredentials(config);
    const loopback = isLoopbackHost(a['listen-host']);
    if (!loopback && !operator) throw new Error(`mosquitto would listen on ${a['listen-host']}: set ACFLEET_OPERATOR_USERNAME / ACFLEET_OPERATOR_PASSWORD (or broker.operator in fleet.yaml) so operators must log in`);
    const files = { conf: join(out, 'mosquitto.conf'), acl: join(out, 'acl'), passwd: join(out, 'passwd'), env: join(out, 'cloud.env') };
    writeFileSync(files.acl, renderAcl(config.telemetry.topic));
    writeFileSync(files.passwd, renderPasswordFile({ deviceSecret, thingNames: [...fleetThings(config)].map((t) => t.thingName), cloudPassword: cloud.password, operatorPassword: operator?.password }), { mode: 0o600 });
    writeFileSync(
      files.conf,
      renderMosquittoConf({ port: a.port, host: a['listen-host'], aclFile: files.acl, passwordFile: files.passwd, allowAnonymous: loopback, extra: a['run-as'] ? [`user ${a['run-as']}`] : [] }),
    );
    writeFileSync(files.env, `ACFLEET_CLOUD_USERNAME=${cloud.username}\nACFLEET_CLOUD_PASSWORD=${cloud.password}\nACFLEET_DEVICE_SECRET=${deviceSecret}\n`, { mode: 0o600 });
    process.stdout.write(
      [
        `wrote ${files.conf}, ${files.acl}, ${files.passwd} and ${files.env}`,
        `  run mosquitto:  mosquitto -c ${files.conf}`,
        `  then the cloud: env $(cat ${files.env} | xargs) acfleet cloud --broker mqtt://127.0.0.1:${a.port}`,
        `  and the fleet:  env $(cat ${files.env} | xargs) acfleet fleet --broker mqtt://127.0.0.1:${a.port}`,
        '',
      ].join('\n'),
    );
  },
};
