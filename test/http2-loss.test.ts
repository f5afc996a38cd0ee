// Head-of-line blocking, measured: HTTP/2 over one TCP connection against HTTP/1.1 over 20, at
// 0 %, 1 % and 5 % packet loss. A target host and a generator host in network namespaces of
// their own; iptables' `statistic` match in the target's namespace drops that share of the
// packets it receives and sends (this kernel has no netem). The built-in target serves
// HTTP/1.1 on one port and h2c on another and answers after 50 ms, so about 10 requests are in
// flight at 200 requests/s: a lost segment on the one HTTP/2 connection holds back every
// response behind it until it is resent, where over HTTP/1.1 it holds back one. Which side that
// favours depends on how the loss is repaired (see docs/http2.md), so the test asserts what is
// certain: the loss happened (the two kernels resent more segments as loss grew), both
// protocols got every answer through it, each on the sockets asked, and the table is printed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, tempDir, writeScenario } from './helpers/cli.js';
import { createNetwork, startOn, type Host, type HostProcess } from './helpers/netns.js';

const h1Port = 8080;
const h2Port = 8081;

/** TCP segments the host's kernel resent so far (its namespace's own /proc/net/snmp). */
function retransmitted(host: Host): number {
  const snmp = execFileSync('ip', ['netns', 'exec', host.namespace, 'cat', '/proc/net/snmp'], { encoding: 'utf8', timeout: 10_000 });
  const [names, values] = snmp
    .split('\n')
    .filter((line) => line.startsWith('Tcp:'))
    .map((line) => line.split(/\s+/));
  return Number(values![names!.indexOf('RetransSegs')]);
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
workload: arrival-rate
rate: 200/s
duration: 4s
warmup: 1s
workers: 1
http:
  timeout: 30s
steps:
  - name: h1-20-connections
    target: http://${address}:${h1Port}/
    connections: 20
  - name: h2-1-connection
    target: http://${address}:${h2Port}/
    connections: 1
    http: { version: 2, streams: 20 }
`;

test('packet loss at 0, 1 and 5 %: HTTP/2 on one connection against HTTP/1.1 on 20, measured side by side', { timeout: 120_000 }, async (t) => {
  const network = createNetwork(`sockcap-h2-${process.pid}`, { target: '10.77.0.1', gen: '10.77.0.2' });
  const started: HostProcess[] = [];
  try {
    const { target, gen } = network.hosts;
    const dir = tempDir('sockcap-h2-loss-');
    const file = writeScenario(dir, 'hol.yaml', scenario(target.address));
    const serve = (port: number, ...flags: string[]): HostProcess => {
      const server = startOn(target, ['serve', '--host', target.address, '--port', String(port), '--response-delay', '50ms', ...flags], dir, 110_000);
      started.push(server);
      return server;
    };
    const h1 = serve(h1Port);
    const h2 = serve(h2Port, '--http2');
    await Promise.all([h1, h2].map((server) => server.waitFor(/^sockcap target listening on /, 10_000)));

    const rows: Record<number, Record<string, Record<string, string>>> = {};
    const resent: Record<number, number> = {};
    for (const loss of [0, 1, 5]) {
      setLoss(target, loss);
      const before = retransmitted(target) + retransmitted(gen);
      const run = startOn(gen, ['run', file, '--out', join(dir, `loss-${loss}`), '--quiet'], dir, 40_000);
      started.push(run);
      const result = await run.result;
      assert.equal(result.code, 0, result.stderr);
      resent[loss] = retransmitted(target) + retransmitted(gen) - before;
      rows[loss] = Object.fromEntries(readCsv(join(onlyRunDir(join(dir, `loss-${loss}`)), 'summary.csv')).map((row) => [row.step!, row]));
    }
    setLoss(target, 0);

    const figure = (loss: number, step: string, column: string): number => cellNumber(rows[loss]![step], column);
    for (const loss of [0, 1, 5]) {
      const line = ['h1-20-connections', 'h2-1-connection']
        .map(
          (step) =>
            `${step}: p50 ${figure(loss, step, 'latency_p50_ms')} ms, p90 ${figure(loss, step, 'latency_p90_ms')} ms, p99 ${figure(loss, step, 'latency_p99_ms')} ms, sockets ${figure(loss, step, 'connections_peak')}, errors ${figure(loss, step, 'errors')}`,
        )
        .join('; ');
      t.diagnostic(`${loss} % loss (${resent[loss]} segments resent): ${line}`);
    }
    assert.ok(resent[5]! > resent[1]! && resent[1]! > resent[0]!, `segments resent at 0/1/5 %: ${resent[0]}/${resent[1]}/${resent[5]}`);
    for (const loss of [0, 1, 5]) {
      for (const step of ['h1-20-connections', 'h2-1-connection']) {
        assert.equal(figure(loss, step, 'errors'), 0, `${step} at ${loss} %`);
        assert.ok(figure(loss, step, 'requests') >= 700, `${step} at ${loss} %: ${figure(loss, step, 'requests')} requests of 800`);
      }
    }
    // The HTTP/2 step really rode on one socket with many streams, the HTTP/1.1 one on 20.
    assert.equal(figure(0, 'h2-1-connection', 'connections_peak'), 1);
    assert.ok(figure(0, 'h2-1-connection', 'streams_peak_per_conn') > 1);
    assert.equal(rows[0]!['h1-20-connections']!.http_version, '1.1');
  } finally {
    for (const process of started) process.stop('SIGKILL');
    network.remove();
  }
});
