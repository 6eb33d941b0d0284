/**
 * The dashboard as a user runs it: `acfleet up` on the repo's fleet.yaml (200 devices in five
 * cities) at --speed 60, in memory, on ports the OS picks.
 */
import { CliProcess } from '../../helpers/cli.js';

export const SPEED = 60;
export const FLEET_SIZE = 200;

export interface DashboardStack {
  up: CliProcess;
  /** The cloud's HTTP URL: the dashboard at `/` and the AWS REST API. */
  http: string;
}

/** Starts `acfleet up` and waits until every device is online. Always pair with {@link stopStack}. */
export async function startStack(started: DashboardStack[]): Promise<DashboardStack> {
  const up = new CliProcess(['up', '--config', 'fleet.yaml', '--speed', String(SPEED), '--state', ':memory:', '--http-port', '0', '--mqtt-port', '0']);
  // Registered before anything can fail, so afterAll stops a half-started stack too.
  const stack: DashboardStack = { up, http: '' };
  started.push(stack);
  const [, http] = await up.waitFor(/HTTP\s+(http:\/\/\S+)/);
  stack.http = String(http);
  await up.waitFor(new RegExp(`all ${FLEET_SIZE} devices online`), 60_000);
  return stack;
}

export async function stopStack(stack: DashboardStack): Promise<void> {
  const code = await stack.up.stop('SIGINT');
  if (code !== 0) console.error(`acfleet up exited ${code}:\n${stack.up.stderr}`);
}

/** A GET on the AWS REST API or the dashboard routes, as JSON. */
export async function getJson<T>(stack: DashboardStack, path: string): Promise<T> {
  const res = await fetch(`${stack.http}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
