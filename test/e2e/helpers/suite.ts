import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser, Session } from './browser.js';
import { startStack, stopStack, type DashboardStack } from './stack.js';

/** What a browser test file shares: one `acfleet up`, one browser and its session, set up in beforeAll. */
export interface DashboardSuite {
  readonly stack: DashboardStack;
  readonly session: Session;
}

/**
 * Registers the hooks every browser test file needs, inside its describe: the stack and browser
 * before all, the page-problem check after each test, and teardown (browser first: its live feed
 * would log errors while the cloud shuts down). `createJob400s`: the file provokes CreateJob
 * validation errors on purpose, which chromium logs as failed resources.
 */
export function dashboardSuite(o: { createJob400s?: boolean; initScript?: string } = {}): DashboardSuite {
  const stacks: DashboardStack[] = [];
  let browser: Browser | undefined;
  let session: Session | undefined;
  beforeAll(async () => {
    await startStack(stacks);
    browser = await launchBrowser();
    session = await Session.open(browser);
    if (o.createJob400s) session.expectConsoleError(/status of 400 .* @ http:\/\/127\.0\.0\.1:\d+\/jobs\//);
    if (o.initScript) await session.context.addInitScript(o.initScript);
  });
  afterEach(() => session?.assertNoProblems());
  afterAll(async () => {
    await session?.close();
    await browser?.close();
    for (const s of stacks) await stopStack(s);
  });
  const started = <T>(what: string, v: T | undefined): T => {
    if (v === undefined) throw new Error(`the suite's ${what} is not started (beforeAll failed?)`);
    return v;
  };
  return {
    get stack() {
      return started('stack', stacks[0]);
    },
    get session() {
      return started('session', session);
    },
  };
}
