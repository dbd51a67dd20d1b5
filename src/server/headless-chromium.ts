/**
 * Node-only: launch the system's Chromium headless through playwright-core (never a downloaded browser), with the
 * flags that keep WebGL (SwiftShader) and tfjs-webgl working on a machine without a GPU. Resolves to null, with the
 * reason, when there is no Chromium or no playwright-core.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Where Chromium is looked for (PINPLACE_CHROMIUM first). */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader',
];

/** The Chromium executable, or null. */
export function findChromium(): string | null {
  const env = process.env.PINPLACE_CHROMIUM;
  if (env) return existsSync(env) ? env : null;
  return CHROMIUM_PATHS.find((p) => existsSync(p)) ?? null;
}

export async function launchChromium(): Promise<{ browser: Browser } | { browser: null; reason: string }> {
  const executablePath = findChromium();
  if (!executablePath) {
    return { browser: null, reason: `no Chromium at ${process.env.PINPLACE_CHROMIUM ?? CHROMIUM_PATHS.join(', ')} (install it: apt-get install -y chromium)` };
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return { browser: null, reason: 'playwright-core is not installed (npm install --save-dev playwright-core)' };
  }
  try {
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true });
    return { browser };
  } catch (err) {
    return { browser: null, reason: `Chromium at ${executablePath} did not start (${String((err as Error).message).split('\n')[0]})` };
  }
}
