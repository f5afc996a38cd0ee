// Opens a page in headless Chromium (Debian's `chromium`) and returns the DOM after its
// scripts ran, plus what Chromium logged, so a test can see whether charts rendered.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

export interface RenderedPage {
  dom: string;
  log: string;
  code: number | null;
}

/** Loads `file` with no network and a virtual-time budget for its scripts, then dumps the DOM. */
export function renderPage(file: string, timeoutMs = 60_000): Promise<RenderedPage> {
  // A missing browser fails the test rather than skipping it: .ci/run installs Debian's chromium.
  if (!chromiumPath) throw new Error('chromium not installed: apt-get install chromium');
  const profile = mkdtempSync(join(tmpdir(), 'sockcap-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
    '--virtual-time-budget=5000',
    '--window-size=1200,900',
    '--dump-dom',
    pathToFileURL(file).href,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(chromiumPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let dom = '';
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (dom += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      resolve({ dom, log, code });
    });
  });
}

/** Console messages and uncaught errors the page produced, from Chromium's log. */
export function consoleErrors(log: string): string[] {
  return log.split('\n').filter((line) => /CONSOLE\(|Uncaught|console\.error/i.test(line) && !/DevTools/.test(line));
}
