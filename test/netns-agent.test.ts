// The target on a host of its own (a network namespace) with sockcap agent beside it, the
// generator on another: the server columns come from the agent and agree with what /proc
// says of the target, the clock offset to the target's host is measured, and the agent,
// listening on the host's own address, refuses a request without its token.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, readCsv, readJson, tempDir } from './helpers/cli.js';
import { createNetwork, startOn, type HostProcess } from './helpers/netns.js';
import { procOf, shortRun } from './helpers/server-figures.js';

const token = 'netns-agent-token';
const targetPort = 8080;
const agentPort = 9465;

/** The status of a GET sent from inside `namespace`, by node there (so from that host's address). */
function statusFrom(namespace: string, url: string, headers: Record<string, string>): number {
  const script = `fetch(${JSON.stringify(url)}, { headers: ${JSON.stringify(headers)} }).then((r) => console.log(r.status))`;
  return Number(execFileSync('ip', ['netns', 'exec', namespace, process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 }).trim());
}

test(
  'a target host with sockcap agent: server figures from the agent match /proc there, clock offset measured, token required',
  { timeout: 60_000 },
  async () => {
    const network = createNetwork(`sockcap-agent-${process.pid}`, { target: '10.77.0.1', gen: '10.77.0.2' });
    const started: HostProcess[] = [];
    try {
      const { target, gen } = network.hosts;
      const dir = tempDir();
      const server = startOn(target, ['serve', '--host', target.address, '--port', String(targetPort)], dir, 40_000);
      started.push(server);
      await server.waitFor(/^sockcap target listening on /, 10_000);
      const agent = startOn(
        target,
        ['agent', '--pid', String(server.pid), '--port', String(targetPort), '--listen', `${target.address}:${agentPort}`, '--token', token],
        dir,
        40_000,
      );
      started.push(agent);
      const startLine = await agent.waitFor(/^sockcap agent listening on /, 10_000);
      assert.match(startLine, /requests without "Authorization: Bearer <token>" are refused \(401\)/);
      const metricsUrl = `http://${target.address}:${agentPort}/metrics`;

      // From the generator's host: no token, a wrong one, the right one.
      assert.equal(statusFrom(gen.namespace, metricsUrl, {}), 401);
      assert.equal(statusFrom(gen.namespace, metricsUrl, { authorization: 'Bearer wrong' }), 401);
      assert.equal(statusFrom(gen.namespace, metricsUrl, { authorization: `Bearer ${token}` }), 200);

      const before = procOf(server.pid!);
      const run = startOn(
        gen,
        [
          ...shortRun(`http://${target.address}:${targetPort}/`, 20),
          '--target-metrics',
          metricsUrl,
          '--target-metrics-token',
          token,
          '--out',
          join(dir, 'results'),
          '--run-id',
          'agent',
        ],
        dir,
        30_000,
      );
      started.push(run);
      const result = await run.result;
      const procAfter = procOf(server.pid!);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /server figures from http:\/\/10\.77\.0\.1:9465\/metrics \(sockcap agent, 1 process summed\)/);

      const runDir = join(dir, 'results', 'agent');
      const summary = readCsv(join(runDir, 'summary.csv'))[0];
      const cpuPct = cellNumber(summary, 'server_cpu_pct');
      const scrapedCpuMs = (cpuPct / 100) * cellNumber(summary, 'duration_s') * 1000;
      const procCpuMs = procAfter.cpuMs - before.cpuMs;
      assert.ok(
        scrapedCpuMs > 0 && scrapedCpuMs <= procCpuMs * 1.1 + 30 && scrapedCpuMs >= procCpuMs * 0.3,
        `agent ${scrapedCpuMs.toFixed(0)} ms, /proc ${procCpuMs} ms`,
      );
      const rssMib = cellNumber(summary, 'server_rss_mib');
      const procRssMib = procAfter.rssBytes / 1048576;
      assert.ok(rssMib > procRssMib * 0.7 && rssMib < procRssMib * 1.3, `agent ${rssMib} MiB, /proc ${procRssMib.toFixed(1)} MiB`);
      const rows = readCsv(join(runDir, 'timeseries.csv')).filter((row) => row.phase === 'measure' && row.server_open_fds !== '');
      assert.ok(
        rows.length >= 2 && rows.every((row) => cellNumber(row, 'server_open_fds') >= 20),
        `the target holds the 20 connections as descriptors: ${rows.map((row) => row.server_open_fds).join(', ')}`,
      );

      const { steps } = readJson<{ steps: { targetClock?: { offsetMs: number; uncertaintyMs: number; samples: number } }[] }>(join(runDir, 'run.json'));
      const clock = steps[0]!.targetClock;
      assert.ok(clock, `no clock offset in run.json: ${result.stderr}`);
      assert.equal(clock.samples, 8);
      // Two namespaces of one machine share its clock: the offset found is 0 within its uncertainty.
      assert.ok(clock.uncertaintyMs > 0 && Math.abs(clock.offsetMs) <= clock.uncertaintyMs + 2, JSON.stringify(clock));
    } finally {
      for (const running of started) running.stop('SIGKILL');
      await Promise.all(started.map((running) => running.result));
      network.remove();
    }
  },
);
