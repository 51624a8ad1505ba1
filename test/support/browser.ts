import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '@dda/testkit';

/** Debian's Chromium; `npm test` installs it when absent (scripts/bootstrap.sh). */
const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling out, and this machine refuses every call.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where browser tests leave their screenshots. */
export const SCREENSHOTS = join(repoRoot, 'test-output');

/** A headless Chromium with a fresh profile; `close` removes the profile too. */
export async function openChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run \`npm test\` (it installs Debian's chromium) or apt-get install chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'dda-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in on the page's sign-in form with the API token and waits for the alert list. */
export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Alerts', exact: true }).waitFor();
}
