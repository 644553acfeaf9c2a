/**
 * Headless Chromium for the browser tests, driven by playwright-core: Debian's `chromium`
 * package (scripts/ensure-chromium.sh installs it when it is missing), never a browser that a
 * test tool downloads. Every launch gets a new, empty profile
 * (playwright makes one in a temporary folder and removes it on close).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * The Chromium binary, installing Debian's package when it is missing and this user may.
 * Returns null when there is none and none could be installed; POSTERN_REQUIRE_BROWSER=1 (CI)
 * turns that into an error instead.
 */
export function chromiumPath(): string | null {
  const script = path.join(import.meta.dirname, '..', '..', 'scripts', 'ensure-chromium.sh');
  try {
    return execFileSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch (err) {
    if (process.env.POSTERN_REQUIRE_BROWSER === '1') throw new Error('Chromium is required (POSTERN_REQUIRE_BROWSER=1) but missing', { cause: err });
    return null;
  }
}

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(executablePath: string): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // This machine's network is closed: without these Chromium keeps dialling Google's hosts.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
    },
  };
}
