// sockcap agent beside a real server (nginx, a master and two workers): its /metrics sums the
// process tree as /proc does, counts the port's TCP sockets by state, refuses requests
// without its token, and a run pointed at it fills the server columns and measures the
// clock offset to its host.
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startNginx } from '../scripts/bench/nginx.js';
import { startServer, type ServerProcess } from '../scripts/bench/processes.js';
import { metricValue, parsePrometheusText } from '../src/metrics/prometheus-text.js';
import { processTree } from '../src/metrics/process-tree.js';
import { binPath, cellNumber, onlyRunDir, readCsv, readJson, runCli, testDir } from './helpers/cli.js';
import { procOf, shortRun } from './helpers/server-figures.js';

const token = 'agent-test-token';
let nginx: ServerProcess;
let nginxPort: number;

before(async () => {
  nginx = await startNginx({ workerProcesses: 2 });
  nginxPort = Number(new URL(nginx.url).port);
});
after(() => nginx.stop());

function startAgent(args: string[]): Promise<ServerProcess> {
  return startServer('sockcap agent', process.execPath, [binPath, 'agent', '--listen', '127.0.0.1:0', ...args], /sockcap agent listening on (http:\/\/\S+)/);
}

async function scrape(url: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  const response = await fetch(url, { headers });
  return { status: response.status, families: response.ok ? parsePrometheusText(await response.text()) : undefined };
}

function sockets(families: ReturnType<typeof parsePrometheusText> | undefined, state: string): number | undefined {
  return families?.get('sockcap_tcp_sockets')?.samples.find((sample) => sample.labels.state === state)?.value;
}

/** Scrapes until `check` holds (sockets change state a little after the calls that cause it), at most 3 s. */
async function scrapeUntil(url: string, check: (families: ReturnType<typeof parsePrometheusText>) => boolean) {
  let last: ReturnType<typeof parsePrometheusText> | undefined;
  for (let waited = 0; waited < 3000; waited += 100) {
    last = (await scrape(url)).families;
    if (last && check(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * One request with `Connection: close` on a socket of its own, read to nginx's close. Raw
 * bytes, not fetch: fetch decides the Connection header and the sockets itself, and in a
 * Node 24 CI run only 2 of its 3 sockets had closed.
 */
async function askToClose(port: number): Promise<void> {
  const socket = await connect(port);
  socket.resume();
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  await new Promise((resolve) => socket.once('close', resolve));
}

test('the agent sums the nginx tree as /proc does, counts its sockets by state, and wants its token', { timeout: 60_000 }, async (t) => {
  const agent = await startAgent(['--pid', String(nginx.pid), '--port', String(nginxPort), '--token', token]);
  t.after(() => agent.stop());
  const refused = await scrape(agent.url, {});
  assert.equal(refused.status, 401);
  assert.equal((await scrape(agent.url, { authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await fetch(new URL('time', agent.url))).status, 401);

  const pids = processTree([nginx.pid]);
  assert.equal(pids.length, 3);
  const proc = pids.map(procOf);
  const { families } = await scrape(agent.url);
  assert.ok(families);
  assert.equal(metricValue(families, 'sockcap_agent_processes'), 3);
  const cpuMs = metricValue(families, 'process_cpu_seconds_total')! * 1000;
  const procCpuMs = proc.reduce((sum, one) => sum + one.cpuMs, 0);
  assert.ok(Math.abs(cpuMs - procCpuMs) <= 30, `agent ${cpuMs} ms of CPU, /proc ${procCpuMs} ms`);
  const rss = metricValue(families, 'process_resident_memory_bytes')!;
  const procRss = proc.reduce((sum, one) => sum + one.rssBytes, 0);
  assert.ok(Math.abs(rss - procRss) <= procRss * 0.1, `agent ${rss} bytes resident, /proc ${procRss}`);
  assert.ok(metricValue(families, 'process_open_fds')! > 3);
  assert.ok(metricValue(families, 'sockcap_kernel_tcp_sockets_inuse')! > 0);
  assert.ok(metricValue(families, 'sockcap_kernel_tcp_memory_bytes')! >= 0);

  // Five idle keep-alive connections are established on nginx's port; three answered with
  // `Connection: close` are closed by nginx first, so its side waits in time-wait.
  const before = await scrape(agent.url);
  const held = await Promise.all(Array.from({ length: 5 }, () => connect(nginxPort)));
  t.after(() => held.forEach((socket) => socket.destroy()));
  const withHeld = await scrapeUntil(agent.url, (now) => sockets(now, 'established') === sockets(before.families, 'established')! + 5);
  assert.equal(sockets(withHeld, 'established'), sockets(before.families, 'established')! + 5);
  await Promise.all(Array.from({ length: 3 }, () => askToClose(nginxPort)));
  const afterClose = await scrapeUntil(agent.url, (now) => sockets(now, 'time-wait')! >= sockets(before.families, 'time-wait')! + 3);
  assert.ok(sockets(afterClose, 'time-wait')! >= sockets(before.families, 'time-wait')! + 3, JSON.stringify(afterClose?.get('sockcap_tcp_sockets')));
});

test('a socket the client closed and the server has not is counted in close-wait', { timeout: 30_000 }, async (t) => {
  // A server that never closes its side: the client's FIN leaves the server's socket in close-wait.
  const held = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => held.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of held) socket.destroy();
    server.close();
  });
  const port = (server.address() as net.AddressInfo).port;
  const agent = await startAgent(['--pid', String(process.pid), '--port', String(port)]);
  t.after(() => agent.stop());
  const clients = await Promise.all(Array.from({ length: 3 }, () => connect(port)));
  t.after(() => clients.forEach((socket) => socket.destroy()));
  const established = await scrapeUntil(agent.url, (now) => sockets(now, 'established') === 3);
  assert.equal(sockets(established, 'established'), 3);
  clients[0]!.end();
  clients[1]!.end();
  const halfClosed = await scrapeUntil(agent.url, (now) => sockets(now, 'close-wait') === 2);
  assert.equal(sockets(halfClosed, 'close-wait'), 2);
  assert.equal(sockets(halfClosed, 'established'), 1);
});

test('off loopback the agent will not start without a token', async (t) => {
  const dir = testDir(t);
  const { code, stderr } = await runCli(['agent', '--pid', String(nginx.pid), '--listen', '0.0.0.0:0'], dir);
  assert.equal(code, 2);
  assert.match(stderr, /^sockcap: --listen 0\.0\.0\.0:0 is reachable from other hosts: give --token/);
  const neither = await runCli(['agent'], dir);
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /give --pid PID or --match NAME/);
});

test('--match finds every process whose command contains the name, with their children', { timeout: 30_000 }, async (t) => {
  const tag = `sockcap-match-${process.pid}`;
  const { spawn } = await import('node:child_process');
  // Two processes carrying the tag, one of which starts a child without it.
  const keep = 'setInterval(() => {}, 1000)';
  const parent = spawn(
    process.execPath,
    ['-e', `require('node:child_process').spawn(process.execPath, ['-e', '${keep}'], { stdio: 'ignore' }); ${keep}`, tag],
    { stdio: 'ignore' },
  );
  const single = spawn(process.execPath, ['-e', keep, tag], { stdio: 'ignore' });
  t.after(() => {
    for (const pid of processTree([parent.pid!])) process.kill(pid);
    single.kill();
  });
  const agent = await startAgent(['--match', tag]);
  t.after(() => agent.stop());
  const families = await scrapeUntil(agent.url, (now) => metricValue(now, 'sockcap_agent_processes') === 3);
  assert.equal(metricValue(families!, 'sockcap_agent_processes'), 3);
});

test('a run pointed at the agent fills the server columns and measures the clock offset to its host', { timeout: 60_000 }, async (t) => {
  const agent = await startAgent(['--pid', String(nginx.pid), '--port', String(nginxPort), '--token', token]);
  t.after(() => agent.stop());
  const dir = testDir(t);
  const { code, stderr } = await runCli(
    [...shortRun(nginx.url, 8), '--target-metrics', agent.url, '--target-metrics-token', token, '--out', join(dir, 'results')],
    dir,
  );
  assert.equal(code, 0, stderr);
  assert.match(stderr, new RegExp(`server figures from ${agent.url} \\(sockcap agent, 3 processes summed\\)`));
  const runDir = onlyRunDir(join(dir, 'results'));
  const summary = readCsv(join(runDir, 'summary.csv'))[0];
  assert.ok(cellNumber(summary, 'server_cpu_pct') > 0);
  assert.ok(cellNumber(summary, 'server_rss_mib') > 0);
  const clock = readJson<{ steps: { targetClock: { offsetMs: number; uncertaintyMs: number; samples: number; source: string } }[] }>(join(runDir, 'run.json'))
    .steps[0]!.targetClock;
  // One machine, one clock: the offset found is within its own uncertainty (and the round trip's jitter) of 0.
  assert.equal(clock.samples, 8);
  assert.equal(clock.source, new URL('time', agent.url).href);
  assert.ok(clock.uncertaintyMs > 0 && clock.uncertaintyMs < 50, JSON.stringify(clock));
  assert.ok(Math.abs(clock.offsetMs) <= clock.uncertaintyMs + 2, JSON.stringify(clock));
});
