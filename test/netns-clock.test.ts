// A target host whose clock runs 2 s ahead (faketime), with sockcap agent beside it on the
// same clock: the run measures the offset, moves every publish time onto its own clock, and
// says so. Uncorrected, every Server-Sent Event would seem to arrive 2 s before it was sent.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, readCsv, readJson, tempDir } from './helpers/cli.js';
import { createNetwork, startOn, type HostProcess } from './helpers/netns.js';

const token = 'netns-clock-token';
const aheadMs = 2000;

test('delivery latency from a target whose clock runs 2 s ahead is corrected by the offset sockcap agent measured', { timeout: 60_000 }, async () => {
  const network = createNetwork(`sockcap-clock-${process.pid}`, { target: '10.77.0.1', gen: '10.77.0.2' });
  const started: HostProcess[] = [];
  try {
    const { target, gen } = network.hosts;
    const dir = tempDir();
    // libfaketime's own library through env, which execs: the pid stays the server's (the faketime command forks).
    const ahead = [
      'env',
      `LD_PRELOAD=${execFileSync('dpkg', ['-L', 'libfaketime'], { encoding: 'utf8' })
        .split('\n')
        .find((path) => path.endsWith('/libfaketime.so.1'))}`,
      `FAKETIME=+${aheadMs / 1000}s`,
    ];
    const server = startOn(target, ['serve', '--host', target.address, '--port', '8080', '--event-rate', '20/s'], dir, 40_000, ahead);
    started.push(server);
    await server.waitFor(/^sockcap target listening on /, 10_000);
    const agent = startOn(target, ['agent', '--pid', String(server.pid), '--listen', `${target.address}:9465`, '--token', token], dir, 40_000, ahead);
    started.push(agent);
    await agent.waitFor(/^sockcap agent listening on /, 10_000);

    const run = startOn(
      gen,
      [
        'run',
        '--target',
        `http://${target.address}:8080`,
        '--protocol',
        'sse',
        '-c',
        '5',
        '-d',
        '2s',
        '--target-metrics',
        `http://${target.address}:9465/metrics`,
        '--target-metrics-token',
        token,
        '--out',
        join(dir, 'results'),
        '--run-id',
        'clock',
      ],
      dir,
      30_000,
    );
    started.push(run);
    const result = await run.result;
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /note: delivery latency compares 10\.77\.0\.1's clock \(events\.publishedAt\) with this machine's, corrected by the offset sockcap agent's host measured \+(19|20)\d\d\.\d\d ms ± [\d.]+ ms \(best of 8 round trips to http:\/\/10\.77\.0\.1:9465\/time\)/,
    );
    const runDir = join(dir, 'results', 'clock');
    const { steps } = readJson<{
      steps: { targetClock: { offsetMs: number; uncertaintyMs: number }; delivery: { note: string; correction: { offsetMs: number } } }[];
    }>(join(runDir, 'run.json'));
    const { targetClock, delivery } = steps[0]!;
    assert.ok(Math.abs(targetClock.offsetMs - aheadMs) < 100 + targetClock.uncertaintyMs, JSON.stringify(targetClock));
    assert.equal(delivery.correction.offsetMs, targetClock.offsetMs);
    // Corrected, events arrive a few ms after they were published, as on one machine; not 2 s before.
    const summary = readCsv(join(runDir, 'summary.csv'))[0];
    assert.ok(cellNumber(summary, 'events') > 0);
    const p50 = cellNumber(summary, 'delivery_p50_ms');
    assert.ok(p50 > 0 && p50 < 200, `delivery p50 ${p50} ms`);
  } finally {
    for (const running of started) running.stop('SIGKILL');
    await Promise.all(started.map((running) => running.result));
    network.remove();
  }
});
