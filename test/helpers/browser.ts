// Opens a report in headless Chromium over the DevTools protocol, as a reader at 1280 px
// would see it: the test can ask the rendered page questions, and learns every console
// message, uncaught error and network request the page made, and gets a screenshot.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';

/** Screenshots land here (gitignored), where CI keeps them as artifacts. */
export const screenshotDir = fileURLToPath(new URL('../../../test-artifacts/screenshots/', import.meta.url));

export const pageWidth = 1280;

// Debian's package; .ci/run installs it, and a test fails (never skips) without it.
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

export interface OpenedPage {
  /** Runs `expression` in the page and returns its (JSON-serialisable) value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Console errors and warnings, uncaught exceptions and error log entries, in order. */
  problems: string[];
  /** Every URL the page requested other than the report file itself. */
  requests: string[];
  /** Saves a PNG of the whole page (or `height` px of it from `top`) and returns its path. */
  screenshot(name: string, options?: { top?: number; height?: number; scale?: number }): Promise<string>;
  close(): Promise<void>;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

function devtoolsUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`chromium gave no DevTools address: ${log.slice(-1000)}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`chromium exited ${code}: ${log.slice(-1000)}`)));
  });
}

export async function openPage(file: string): Promise<OpenedPage> {
  if (!chromium) throw new Error('chromium not installed: apt-get install chromium');
  const profile = mkdtempSync(join(tmpdir(), 'sockcap-browser-'));
  const child = spawn(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const socket = new WebSocket(await devtoolsUrl(child));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  const listeners: ((message: Message) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as Message;
    if (message.id !== undefined) {
      const entry = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) entry?.reject(new Error(message.error.message));
      else entry?.resolve(message.result ?? {});
    } else for (const listener of listeners) listener(message);
  });
  let sessionId: string | undefined;
  const send = (method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  sessionId = (await send('Target.attachToTarget', { targetId, flatten: true })).sessionId as string;
  // A file (a report), or a page sockcap serves (the live dashboard).
  const url = /^https?:\/\//.test(file) ? file : pathToFileURL(file).href;
  const problems: string[] = [];
  const requests: string[] = [];
  let loaded: () => void = () => undefined;
  const load = new Promise<void>((resolve) => (loaded = resolve));
  listeners.push((message) => {
    const params = message.params ?? {};
    if (message.method === 'Page.loadEventFired') loaded();
    if (message.method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(String(params.type))) {
      const args = (params.args as { value?: unknown; description?: string }[]) ?? [];
      problems.push(`console.${String(params.type)}: ${args.map((arg) => arg.description ?? JSON.stringify(arg.value)).join(' ')}`);
    }
    if (message.method === 'Runtime.exceptionThrown') problems.push(`uncaught: ${JSON.stringify(params.exceptionDetails)}`);
    if (message.method === 'Log.entryAdded') {
      const entry = params.entry as { level: string; text: string; url?: string };
      if (entry.level === 'error') problems.push(`log: ${entry.text} ${entry.url ?? ''}`);
    }
    if (message.method === 'Network.requestWillBeSent') {
      const requested = (params.request as { url: string }).url;
      if (requested !== url) requests.push(requested);
    }
  });
  for (const domain of ['Page', 'Runtime', 'Log', 'Network']) await send(`${domain}.enable`);
  await send('Emulation.setDeviceMetricsOverride', { width: pageWidth, height: 900, deviceScaleFactor: 1, mobile: false });
  await send('Page.navigate', { url });
  await load;

  const evaluate = async <T>(expression: string): Promise<T> => {
    const answer = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (answer.exceptionDetails) throw new Error(`page threw: ${JSON.stringify(answer.exceptionDetails)}`);
    return (answer.result as { value: T }).value;
  };
  // The charts are drawn after load; the page says when in #render-status.
  for (let tries = 0; tries < 100; tries++) {
    const state = await evaluate<string | null>("document.getElementById('render-status')?.getAttribute('data-state') ?? null");
    if (state !== 'pending') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    evaluate,
    problems,
    requests,
    async screenshot(name, options = {}) {
      const metrics = await send('Page.getLayoutMetrics');
      const content = metrics.cssContentSize as { width: number; height: number };
      const top = options.top ?? 0;
      const height = Math.min(options.height ?? content.height, content.height - top);
      const shot = await send('Page.captureScreenshot', {
        format: 'png',
        captureBeyondViewport: true,
        clip: { x: 0, y: top, width: pageWidth, height, scale: options.scale ?? 1 },
      });
      const path = join(screenshotDir, `${name}.png`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, Buffer.from(shot.data as string, 'base64'));
      return path;
    },
    async close() {
      sessionId = undefined;
      await send('Browser.close').catch(() => undefined);
      socket.close();
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
