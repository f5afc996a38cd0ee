// `sockcap compare` against nginx: two identical runs are no regression at the default
// settings (the noise comes from each run's own intervals, and a latency must also move by
// more than the absolute floor); a 100 ms delay nginx adds by proxying to a slow upstream is;
// steps of another protocol or target are refused unless --force; the files go beside the
// current run or where --out says, never into the working directory.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startNginx } from '../scripts/bench/nginx.js';
import type { ServerProcess } from '../scripts/bench/processes.js';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir } from './helpers/cli.js';
import { closerFor, listenOnFreePort } from './servers/listen.js';
import { startWsEchoServer, type WsEchoServer } from './servers/ws-echo-server.js';

// 100 ms, not the benchmark's 30: on this shared machine a run's own p50 moves by tens of ms (docs/ci-gates.md).
const delayMs = 100;
let upstream: http.Server;
let upstreamPort: number;
let echo: WsEchoServer;

before(async () => {
  upstream = http.createServer((_req, res) => setTimeout(() => res.end('x'.repeat(64)), delayMs));
  upstreamPort = await listenOnFreePort(upstream);
  echo = await startWsEchoServer();
});
after(async () => {
  await closerFor(upstream)();
  await echo.close();
});

const load = ['-c', '10', '-d', '3s', '-w', '1', '--set', 'interval=500ms'];

async function runAgainst(nginx: ServerProcess, parent: string, name: string): Promise<string> {
  const out = join(parent, name);
  const { code, stderr } = await runCli(['run', '--target', nginx.url, ...load, '--out', out], parent);
  assert.equal(code, 0, stderr);
  return onlyRunDir(out);
}

test('two identical runs against nginx: no regression at the default settings, files beside the current run', async () => {
  const nginx = await startNginx();
  const dir = tempDir();
  try {
    const first = await runAgainst(nginx, dir, 'a');
    const second = await runAgainst(nginx, dir, 'b');
    const { code, stdout, stderr } = await runCli(['compare', first, second], dir);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /noise: measured from the runs themselves \(2 standard deviations of each step.s interval-to-interval variation\)/);
    assert.match(stdout, /compare: no regression/);
    assert.ok(existsSync(join(second, 'compare.csv')), 'compare.csv beside the current run');
    assert.ok(existsSync(join(second, 'compare.html')));
    assert.equal(existsSync(join(dir, 'compare.csv')), false, 'nothing in the working directory');
    const rows = readCsv(join(second, 'compare.csv'));
    const p50 = rows.find((row) => row.metric === 'latency.p50')!;
    assert.match(p50.noise!, /^±\d/, 'the noise of latency.p50 was measured');
  } finally {
    await nginx.stop();
  }
});

test('a 100 ms delay behind the same nginx URL is a regression; --out says where the files go', async () => {
  const dir = tempDir();
  const direct = await startNginx();
  const port = Number(new URL(direct.url).port);
  let baseline: string;
  try {
    baseline = await runAgainst(direct, dir, 'direct');
  } finally {
    await direct.stop();
  }
  const slowed = await startNginx({ port, root: `proxy_pass http://127.0.0.1:${upstreamPort};` });
  let current: string;
  try {
    current = await runAgainst(slowed, dir, 'slowed');
  } finally {
    await slowed.stop();
  }
  const out = join(dir, 'gate');
  const { code, stdout, stderr } = await runCli(['compare', baseline, current, '--out', out], dir);
  assert.equal(code, 1, `${stdout}\n${stderr}`);
  const rows = readCsv(join(out, 'compare.csv'));
  const p50 = rows.find((row) => row.metric === 'latency.p50')!;
  assert.equal(p50.verdict, 'regression', JSON.stringify(p50));
  assert.ok(cellNumber(p50, 'current') >= delayMs, `p50 ${p50.current} ms`);
  assert.equal(existsSync(join(current, 'compare.csv')), false, '--out, not the default');
});

test('runs of another protocol or target are refused before comparing, unless --force', async () => {
  const nginx = await startNginx();
  const dir = tempDir();
  try {
    const httpRun = await runAgainst(nginx, dir, 'http');
    const wsOut = join(dir, 'ws');
    const ws = await runCli(['run', '--target', echo.url.replace(/^http/, 'ws'), ...load, '--out', wsOut], dir);
    assert.equal(ws.code, 0, ws.stderr);
    const wsRun = onlyRunDir(wsOut);
    const refused = await runCli(['compare', httpRun, wsRun], dir);
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(
      refused.stderr,
      /^sockcap: compare: step main differs in protocol \(http → websocket\), target \(http:\/\/127\.0\.0\.1:\d+\/ → ws:\/\/127\.0\.0\.1:\d+\): that is a different measurement, not a regression \(.*or add --force\)$/m,
    );
    assert.equal(existsSync(join(wsRun, 'compare.csv')), false, 'nothing written');
    const forced = await runCli(['compare', httpRun, wsRun, '--force'], dir);
    assert.notEqual(forced.code, 2, forced.stderr);
    assert.match(forced.stdout, /note: step main differs in protocol \(http → websocket\).*\(compared because of --force\)/);
  } finally {
    await nginx.stop();
  }
});

test('a bad --latency-floor names the flag', async () => {
  const dir = tempDir();
  const { code, stderr } = await runCli(['compare', dir, dir, '--latency-floor', 'soon'], dir);
  assert.equal(code, 2);
  assert.match(stderr, /^sockcap: --latency-floor: expected a duration like 1ms or 500us \(0 for none\), got "soon"$/m);
});
