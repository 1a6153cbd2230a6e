/**
 * Debian's Chromium driven by playwright-core, for tests of the Temporal Web UI. playwright-core
 * never downloads a browser: scripts/ensure-setup.sh --tests installs `chromium` from Debian.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.REBOUND_CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run \`apt-get install chromium\` (npm test does it first), or set REBOUND_CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    // A loaded 2-core machine can take a while to start a browser.
    timeout: 120_000,
  });
}
