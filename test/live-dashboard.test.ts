// --dashboard in headless Chromium against a real run: the page's charts grow as intervals
// close (more points, a different picture), it links the final report.html when the run ends
// (kept in the page, so it still opens after sockcap exits), and it answers on the address
// it was given only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { openPage, type OpenedPage } from './helpers/browser.js';
import { runCli, startCli, testDir, writeScenario } from './helpers/cli.js';

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the page shows now: intervals received, chart points, canvases, and a screenshot's bytes. */
async function look(page: OpenedPage, name: string): Promise<{ intervals: number; points: number; canvases: number; picture: Buffer }> {
  const figures = await page.evaluate<{ intervals: number; points: number; canvases: number }>(
    "({ intervals: Number(document.body.dataset.intervals ?? 0), points: Number(document.body.dataset.points ?? 0), canvases: document.querySelectorAll('#live-charts canvas').length })",
  );
  return { ...figures, picture: readFileSync(await page.screenshot(name)) };
}

const refused = async (url: string): Promise<string> => {
  try {
    await fetch(url);
    return 'answered';
  } catch (error) {
    return String((error as { cause?: { code?: string } }).cause?.code);
  }
};

test('--dashboard: the charts grow during the run, the final report.html is linked, and only the address asked for answers', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(
    dir,
    'dashboard.yaml',
    `name: live-dashboard\nprotocol: http\nconnections: 4\nduration: 3s\nwarmup: 500ms\ninterval: 250ms\nworkers: 1\nsteps:\n  - name: first\n  - name: second\n    connections: 2\n`,
  );
  const { child, result } = startCli(['run', file, '--out', join(dir, 'results'), '--dashboard'], dir);
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /dashboard at (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('close', () => reject(new Error(`no dashboard address: ${text}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'loopback and a port the system chose');
  const port = new URL(url).port;
  assert.equal(await refused(`http://127.0.0.2:${port}/`), 'ECONNREFUSED', 'another local address does not answer');
  assert.equal(await refused(`http://[::1]:${port}/`), 'ECONNREFUSED', 'nor IPv6 loopback');

  const page = await openPage(url);
  t.after(() => page.close());
  const intervals = (): Promise<number> => page.evaluate<number>('Number(document.body.dataset.intervals ?? 0)');
  await until('intervals drawn', intervals, (n) => n >= 4);
  const early = await look(page, 'dashboard-early');
  assert.match(await page.evaluate<string>("document.getElementById('verdict').textContent"), /^Running step first: /);
  await until('more intervals drawn', intervals, (n) => n >= early.intervals + 6);
  const later = await look(page, 'dashboard-later');
  assert.ok(early.canvases >= 3, `${early.canvases} charts drawn`);
  assert.ok(later.points > early.points, `the charts grew: ${early.points} → ${later.points} points`);
  assert.notDeepEqual(later.picture, early.picture, 'the page looks different once the charts grew');
  assert.equal(await page.evaluate<string>("document.getElementById('render-status').dataset.state"), 'ok');

  // The end: the final report.html is linked, and kept in the page.
  const kept = await until(
    'report.html kept',
    () => page.evaluate<string | null>('document.body.dataset.report ?? null'),
    (state) => state !== null,
  );
  assert.equal(kept, 'kept');
  const { code, stderr } = await result;
  assert.equal(code, 0, stderr);
  const link = await page.evaluate<string>("document.getElementById('report-link').href");
  assert.match(link, /^blob:/);
  const report = await page.evaluate<string>(`fetch(${JSON.stringify(link)}).then((response) => response.text())`);
  assert.match(report, /<title>/);
  assert.match(report, /id="render-status"/);
  assert.match(report, /second/, 'the final report covers the last step');
  assert.match(await page.evaluate<string>("document.getElementById('verdict').className"), /passed/);
  assert.deepEqual(page.problems, []);
  // sockcap has exited, and its server with it.
  assert.equal(await refused(url), 'ECONNREFUSED');
});

test('a bad --dashboard address and a port in use are one line naming the flag, exit 2', async (t) => {
  const dir = testDir(t);
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const cases: [string, RegExp][] = [
    ['--dashboard=localhost:8090', /^sockcap: --dashboard: expected an address like 127\.0\.0\.1 or 127\.0\.0\.1:8090 .*got "localhost:8090"$/],
    [`--dashboard=127.0.0.1:${port}`, new RegExp(`^sockcap: --dashboard 127\\.0\\.0\\.1:${port}: cannot listen there \\(EADDRINUSE\\)`)],
  ];
  for (const [flag, message] of cases) {
    const { code, stderr } = await runCli(['run', '--out', join(dir, 'results'), flag], dir);
    assert.equal(code, 2, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr.trim(), message);
  }
});
