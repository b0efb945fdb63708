import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for the page tests, found in this order: CHROMIUM_PATH; a system Chromium
 * (Debian's `chromium`, `chromium-browser`, Google Chrome); else the build that the npm package
 * `@sparticuz/chromium` carries (unpacked to the temporary directory on first use), so a machine
 * with nothing but Node can run them. It never skips: without any of them the test fails.
 */
const systemBrowsers = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];
const commonArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ChromiumChoice {
  executablePath: string;
  args: string[];
  /** Where it came from, for failure messages and logs. */
  origin: string;
}

export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumChoice> {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist.`);
    return { executablePath: env.CHROMIUM_PATH, args: commonArgs, origin: 'CHROMIUM_PATH' };
  }
  const system = systemBrowsers.find((candidate) => existsSync(candidate));
  if (system) return { executablePath: system, args: commonArgs, origin: 'system' };
  try {
    const { default: packaged } = await import('@sparticuz/chromium');
    const executablePath = await packaged.executablePath();
    return {
      executablePath,
      // Not the package's own args: they are for one-shot serverless use (--single-process and
      // --disable-web-security, which would let the tests' browser contexts share state).
      args: [...commonArgs, '--no-zygote'],
      origin: '@sparticuz/chromium',
    };
  } catch (error) {
    throw new Error(
      `No Chromium for the page tests: set CHROMIUM_PATH, install a system chromium, or run npm ci ` +
        `(it brings @sparticuz/chromium). Page tests do not skip. (${(error as Error).message})`,
    );
  }
}

/** Launches headless Chromium; `close()` removes its temporary profile. */
export async function launchChromium(): Promise<Browser> {
  const choice = await findChromium();
  return chromium.launch({ executablePath: choice.executablePath, headless: true, args: choice.args });
}
