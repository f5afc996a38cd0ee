// Head-of-line blocking, measured: HTTP/2 over one TCP connection against HTTP/1.1 over 20, at
// 0 %, 1 % and 5 % packet loss. A target host and a generator host in network namespaces of
// their own, joined by a wire with 50 ms of delay each way (test/helpers/delayed-link.ts: this
// kernel has no netem); iptables' `statistic` match in the target's namespace drops that share
// of the TCP segments it receives and sends. A closed loop keeps 20 requests of 32 KiB answers
// in flight either way. Over HTTP/2 all of them share one connection: a lost segment holds back
// every stream behind it until it is resent, and each loss halves the one congestion window
// they share; over HTTP/1.1 a loss holds back and slows one request of 20. So as loss grows,
// HTTP/2 on one socket falls behind in throughput and in its tail latency, and the test asserts
// that direction; the table is printed (docs/http2.md shows one).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, tempDir, writeScenario } from './helpers/cli.js';
import { createDelayedLink } from './helpers/delayed-link.js';
import { startOn, type Host, type HostProcess } from './helpers/netns.js';

const h1Port = 8080;
const h2Port = 8081;
const losses = [0, 1, 5];

/** Packets the drop rules in the host's namespace dropped since they were set. */
function dropped(host: Host): number {
  let total = 0;
  for (const chain of ['INPUT', 'OUTPUT']) {
    const listing = execFileSync('ip', ['netns', 'exec', host.namespace, 'iptables', '-L', chain, '-v', '-x', '-n'], { encoding: 'utf8', timeout: 10_000 });
    for (const line of listing.split('\n')) if (/\bDROP\b/.test(line)) total += Number(line.trim().split(/\s+/)[0]);
  }
  return total;
}

function setLoss(host: Host, percent: number): void {
  const iptables = (...args: string[]): string =>
    execFileSync('ip', ['netns', 'exec', host.namespace, 'iptables', ...args], { encoding: 'utf8', timeout: 10_000 });
  iptables('-F');
  if (percent === 0) return;
  const probability = String(percent / 100);
  for (const chain of ['INPUT', 'OUTPUT']) {
    iptables('-A', chain, '-p', 'tcp', '-m', 'statistic', '--mode', 'random', '--probability', probability, '-j', 'DROP');
  }
}

const scenario = (address: string): string => `name: hol
workload: closed
duration: 6s
warmup: 1s
workers: 1
http:
  timeout: 20s
steps:
  - name: h1-20-connections
    target: http://${address}:${h1Port}/
    connections: 20
  - name: h2-1-connection
    target: http://${address}:${h2Port}/
    connections: 1
    http: { version: 2, streams: 20 }
`;

test('packet loss at 0, 1 and 5 %: HTTP/2 on one connection falls behind HTTP/1.1 on 20 as loss grows', { timeout: 150_000 }, async (t) => {
  const link = await createDelayedLink(`sockcap-h2-${process.pid}`, 50);
  const started: HostProcess[] = [];
  try {
    const { target, gen } = link;
    const dir = tempDir('sockcap-h2-loss-');
    const file = writeScenario(dir, 'hol.yaml', scenario(target.address));
    const serve = (port: number, ...flags: string[]): HostProcess => {
      const server = startOn(target, ['serve', '--host', target.address, '--port', String(port), '--response-size', '32768', ...flags], dir, 140_000);
      started.push(server);
      return server;
    };
    const servers = [serve(h1Port), serve(h2Port, '--http2')];
    await Promise.all(servers.map((server) => server.waitFor(/^sockcap target listening on /, 10_000)));

    const rows: Record<number, Record<string, Record<string, string>>> = {};
    const drops: Record<number, number> = {};
    for (const loss of losses) {
      setLoss(target, loss);
      const run = startOn(gen, ['run', file, '--out', join(dir, `loss-${loss}`), '--quiet'], dir, 60_000);
      started.push(run);
      const result = await run.result;
      assert.equal(result.code, 0, result.stderr);
      drops[loss] = dropped(target);
      rows[loss] = Object.fromEntries(readCsv(join(onlyRunDir(join(dir, `loss-${loss}`)), 'summary.csv')).map((row) => [row.step!, row]));
    }
    setLoss(target, 0);

    const figure = (loss: number, step: string, column: string): number => cellNumber(rows[loss]![step], column);
    /** HTTP/2's figure over HTTP/1.1's at `loss`. */
    const ratio = (loss: number, column: string): number => figure(loss, 'h2-1-connection', column) / figure(loss, 'h1-20-connections', column);
    for (const loss of losses) {
      const line = ['h1-20-connections', 'h2-1-connection']
        .map(
          (step) =>
            `${step}: ${figure(loss, step, 'throughput_per_s')} req/s, p50 ${figure(loss, step, 'latency_p50_ms')} ms, p99 ${figure(loss, step, 'latency_p99_ms')} ms, sockets ${figure(loss, step, 'connections_peak')}`,
        )
        .join('; ');
      t.diagnostic(
        `${loss} % loss (${drops[loss]} packets dropped): ${line}; HTTP/2 ÷ HTTP/1.1: throughput ${ratio(loss, 'throughput_per_s').toFixed(2)}, p99 ${ratio(loss, 'latency_p99_ms').toFixed(2)}`,
      );
    }
    assert.ok(drops[5]! > drops[1]! && drops[1]! > 0, `packets dropped at 1/5 %: ${drops[1]}/${drops[5]}`);
    for (const loss of losses) {
      for (const step of ['h1-20-connections', 'h2-1-connection']) assert.equal(figure(loss, step, 'errors'), 0, `${step} at ${loss} %`);
    }
    // Without loss the two carry the load about alike; with loss HTTP/2 on one socket falls
    // behind. Six runs gave HTTP/2 ÷ HTTP/1.1 throughput 0.98–1.00 → 0.54–0.73 (0 → 5 %) and p50
    // 1.7–2.9 at 5 %: those are asserted. The p99 went either way (0.74–2.36 at 1 %, 0.97–2.82
    // at 5 %): which requests a few drops land on decides a tail of 200 requests a second, so
    // it is shown, not asserted. A loaded CI machine once gave 0.86 at 5 %: the throughput bound
    // leaves room for that, and the p50 (slower on one socket by far) carries the claim.
    assert.ok(ratio(0, 'throughput_per_s') > 0.7, `throughput ratio at 0 %: ${ratio(0, 'throughput_per_s')}`);
    assert.ok(ratio(5, 'throughput_per_s') < 0.92, `throughput ratio at 5 %: ${ratio(5, 'throughput_per_s')}`);
    assert.ok(ratio(5, 'throughput_per_s') < ratio(0, 'throughput_per_s'));
    assert.ok(ratio(5, 'latency_p50_ms') > 1.2, `p50 ratio at 5 %: ${ratio(5, 'latency_p50_ms')}`);
    // The HTTP/2 step really rode on one socket with many streams, the HTTP/1.1 one on 20.
    assert.equal(figure(0, 'h2-1-connection', 'connections_peak'), 1);
    assert.equal(figure(0, 'h2-1-connection', 'streams_peak_per_conn'), 20);
    assert.equal(figure(0, 'h1-20-connections', 'connections_peak'), 20);
  } finally {
    for (const process of started) process.stop('SIGKILL');
    link.remove();
  }
});
