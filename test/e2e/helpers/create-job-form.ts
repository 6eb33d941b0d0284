import type { Page } from 'playwright-core';
import type { Session } from './browser.js';
import { textOf, until } from './fleet-page.js';
import type { DashboardStack } from './stack.js';

/** A fresh tab on the Create job form: no state carried over from another test. */
export async function openForm(session: Session, stack: DashboardStack): Promise<Page> {
  const page = await session.page();
  await page.goto(`${stack.http}/#/create-job`);
  await page.locator('[data-testid="create-job-page"]').waitFor({ timeout: 15_000 });
  return page;
}

/** Waits for the server's error under the field named by AWS member path `field`; returns its text. */
export async function waitForFieldError(page: Page, field: string): Promise<string> {
  const selector = `[data-testid="field-error"][data-field="${field}"]`;
  let formError = '';
  return until(
    `a field error on ${field}`,
    async () => {
      formError = (await textOf(page, '[data-testid="form-error"]')) ?? '';
      return (await textOf(page, selector)) || undefined;
    },
    10_000,
    () => `no ${selector}; form error: "${formError}"`,
  );
}

export const fieldError = (page: Page, field: string) => page.locator(`[data-testid="field-error"][data-field="${field}"]`);
