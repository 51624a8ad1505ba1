import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { personas } from '@dda/sandbox/telnyx-sim';
import { openChromium, SCREENSHOTS, signIn as signInAs } from './support/browser.ts';
import { AE, startCallStack, TOKEN, VP, type CallStack } from './support/call-stack.ts';

// page.evaluate takes expressions as strings here: the project compiles without the DOM library.

let s: CallStack;
let context: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;
beforeAll(async () => {
  s = await startCallStack();
  ({ context, close: closeBrowser } = await openChromium());
}, 60_000);
afterAll(async () => {
  await closeBrowser?.();
  await s?.close();
});

const signIn = (page: Page) => signInAs(page, s.base, TOKEN);

describe('alert-history page in a real browser', () => {
  it('signs in, sends a test alert, shows it live through to "connected" and the bridge in its timeline', async () => {
    s.telnyx.setPersona(VP, personas.vpSaysConnect);
    s.telnyx.setPersona(AE, personas.aeAccepts);
    const page = await context.newPage();
    await signIn(page); // (the sign-in page itself is a 401, which the console reports)
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: 10_000 }).toBe('Live');
    // Marks this document: if it is still there at the end, nothing reloaded the page.
    await page.evaluate("window.marker = 'same-page'");

    // The test alert, for the CRM deal whose owner is the AE in the rep directory.
    const dealSelect = page.getByLabel('Deal');
    await expect.poll(() => dealSelect.locator('option', { hasText: 'Platform Expansion FY26' }).count(), { timeout: 10_000 }).toBe(1);
    const optionValue = await dealSelect.locator('option', { hasText: 'Platform Expansion FY26' }).getAttribute('value');
    await dealSelect.selectOption(optionValue!);
    await page.getByRole('button', { name: 'Send test alert' }).click();
    await expect.poll(() => page.locator('#test-alert-result').textContent(), { timeout: 10_000 }).toMatch(/Test alert al_\w+ sent/);

    const row = page.locator('#alerts-body tr', { hasText: 'Platform Expansion FY26' });
    await row.waitFor({ timeout: 10_000 });
    const outcome = row.locator('[data-badge="outcome"]');
    await expect.poll(() => outcome.textContent(), { timeout: 20_000 }).toBe('connected');
    await expect.poll(() => row.locator('[data-badge="status"]').textContent(), { timeout: 10_000 }).toBe('completed');
    expect(await row.textContent()).toMatch(/Northwind Traders/);
    expect(await row.textContent()).toMatch(/VP, AE Dana Whitfield/);

    // Keyboard: focus the deal link and press Enter to open the detail.
    await row.getByRole('link').focus();
    await page.keyboard.press('Enter');
    const detail = page.locator('#detail');
    await detail.waitFor({ state: 'visible' });
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('detail-heading');
    const timeline = detail.getByRole('list', { name: 'Conversation timeline' });
    await expect.poll(() => timeline.locator('li[data-event="bridged"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await timeline.locator('li[data-event="bridged"]').textContent()).toMatch(/VP and AE connected/);
    expect(await timeline.textContent()).toMatch(/VP said.*connect me/);
    expect(await timeline.textContent()).toMatch(/Whisper to the AE/);
    expect(await detail.locator('table').textContent()).toMatch(/connected/);

    expect(await page.evaluate('window.marker')).toBe('same-page');
    expect(problems).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'history-page.png'), fullPage: true });

    // Escape closes the detail and puts focus back on the row's link.
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.activeElement.textContent')).toMatch(/Platform Expansion FY26/);
    await page.close();
  });

  it('filters by outcome without losing live updates', async () => {
    const page = await context.newPage();
    await page.goto(`${s.base}/`); // the session cookie from the first test is in this profile
    await page.getByLabel('Outcome').selectOption('voicemail');
    await expect.poll(() => page.locator('#list-status').textContent(), { timeout: 10_000 }).toBe('No alerts match.');
    await page.getByLabel('Outcome').selectOption('connected');
    await expect.poll(() => page.locator('#alerts-body tr').count(), { timeout: 10_000 }).toBe(1);
    await page.close();
  });
});
