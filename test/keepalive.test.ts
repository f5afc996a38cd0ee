// The keep-alive lab end to end, through `sockcap sweep`, against real servers on loopback:
// socket reuse against the built-in target, the reset race against a server that closes idle
// sockets exactly at its timeout, and idle sockets crowding out newcomers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startIdleCloseServer } from './servers/idle-close-server.js';

type Row = Record<string, string>;

async function sweep(name: string, scenario: string, args: string[]): Promise<{ rows: Row[]; runDir: string; stdout: string }> {
  const dir = tempDir();
  const file = writeScenario(dir, `${name}.yaml`, scenario);
  const { code, stdout, stderr } = await runCli(['sweep', file, '--out', join(dir, 'results'), '--quiet', ...args], dir);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  return { rows: readCsv(join(runDir, 'sweep.csv')), runDir, stdout };
}

const byStep = (rows: Row[], fragment: string): Row => {
  const row = rows.find((candidate) => candidate.step!.includes(fragment));
  assert.ok(row, `no row for ${fragment} in ${rows.map((r) => r.step).join(' | ')}`);
  return row;
};

test('built-in target, keepAliveTimeout 1s: think time 1.5s opens a connection per request, 0.2s almost none', async () => {
  // The client believes the advertised `Keep-Alive: timeout=1` exactly (threshold 0), so it
  // drops a socket idle for 1 s, whatever Node's own extra second would allow.
  const { rows, stdout } = await sweep(
    'reuse',
    'connections: 4\nduration: 6s\nworkers: 1\nserver: { keepAliveTimeout: 1s }\nhttp: { keepAliveTimeoutThreshold: 0s }\n',
    ['--vary', 'thinkTime=1.5s,200ms'],
  );
  const slow = byStep(rows, 'thinkTime=1.5s');
  const fast = byStep(rows, 'thinkTime=200ms');
  assert.equal(cellNumber(slow, 'client_idle_timeout_ms'), 1000);
  assert.ok(cellNumber(slow, 'requests') >= 12, `requests ${slow.requests}`);
  assert.ok(cellNumber(slow, 'new_conns_per_1k_requests') >= 900, `think 1.5s: ${slow.new_conns_per_1k_requests} new connections per 1k requests`);
  assert.ok(cellNumber(fast, 'requests') >= 80, `requests ${fast.requests}`);
  assert.ok(cellNumber(fast, 'new_conns_per_1k_requests') <= 100, `think 0.2s: ${fast.new_conns_per_1k_requests} new connections per 1k requests`);
  assert.ok(cellNumber(fast, 'reuse_pct') >= 90);
  assert.equal(cellNumber(slow, 'keepalive_race_errors') + cellNumber(fast, 'keepalive_race_errors'), 0);
  // Every request went out on a socket counted as fresh or reused.
  for (const row of [slow, fast]) {
    assert.equal(
      cellNumber(row, 'requests_on_fresh_sockets') + cellNumber(row, 'requests_on_reused_sockets'),
      cellNumber(row, 'requests') + cellNumber(row, 'errors'),
    );
  }
  assert.ok(cellNumber(fast, 'latency_reused_p50_ms') > 0 && cellNumber(slow, 'latency_fresh_p50_ms') > 0);
  // Think time does not move latency much: named or within noise, the verdict says what it stands on.
  assert.match(stdout, /(?:no )?best for lowest p99 latency at zero keep-alive races: thinkTime=\S+ \(latency_p99_ms [\d.]+ ms, on [\d,]+ requests/);
});

test('a server that closes idle sockets at 300 ms: races when the client keeps sockets longer, none when it lets go first', async () => {
  const server = await startIdleCloseServer(300);
  try {
    // Idle gaps straddle the server's timeout by a few ms, where a reuse meets the close.
    const scenario =
      `target: ${server.url}\nconnections: 30\nduration: 5s\nworkers: 1\n` +
      'thinkTime: { distribution: uniform, min: 297ms, max: 301ms }\nhttp: { honourServerHint: false }\n' +
      // The races are what this test provokes.
      'verdict: { maxErrorRate: off }\n';
    const { rows, runDir } = await sweep('race', scenario, ['--vary', 'http.keepAliveTimeout=250ms,2s', '--server-timeout', '300ms']);
    const longer = byStep(rows, 'keepAliveTimeout=2s');
    const shorter = byStep(rows, 'keepAliveTimeout=250ms');
    assert.ok(cellNumber(longer, 'keepalive_race_errors') > 0, `no race in ${longer.requests} requests`);
    assert.equal(cellNumber(longer, 'client_minus_server_ms'), 1700);
    assert.equal(longer.server_timeout_source, '--server-timeout');
    // The failed requests had sat idle for the server's timeout.
    assert.ok(Math.abs(cellNumber(longer, 'race_idle_p50_ms') - 300) < 20, `race idle p50 ${longer.race_idle_p50_ms}`);
    const errors = readCsv(join(runDir, 'errors.csv'));
    assert.equal(cellNumber(shorter, 'keepalive_race_errors'), 0, JSON.stringify(errors));
    assert.equal(cellNumber(shorter, 'errors'), 0, JSON.stringify(errors));
    assert.equal(cellNumber(shorter, 'reuse_pct'), 0, `reused ${shorter.requests_on_reused_sockets} of ${shorter.requests}`);
    const race = errors.find((row) => row.code === 'keepalive_race');
    assert.equal(cellNumber(race, 'count'), cellNumber(longer, 'keepalive_race_errors'));
    const run = readJson<{ sweep: { serverTimeout: { ms: number; source: string } } }>(join(runDir, 'run.json'));
    assert.deepEqual(run.sweep.serverTimeout, { ms: 300, source: '--server-timeout' });
  } finally {
    await server.close();
  }
});

test('maxConnections filled by idle keep-alive sockets turns newcomers away; a short timeout lets them in', async () => {
  const scenario =
    'connections: 10\nduration: 4s\nwarmup: 1s\nworkers: 1\nthinkTime: 2s\n' +
    'http: { honourServerHint: false, keepAliveTimeout: 10s }\nserver: { maxConnections: 10 }\nnewcomers: { rate: 10/s }\n' +
    // With the short timeout the step's own connections reconnect while newcomers hold slots,
    // and one can be turned away as a newcomer is: an error the comparison expects.
    'verdict: { maxErrorRate: off }\n';
  const { rows } = await sweep('crowd', scenario, ['--vary', 'server.keepAliveTimeout=5s,500ms', '--goal', 'fewest-turned-away']);
  const held = byStep(rows, 'keepAliveTimeout=5s');
  const released = byStep(rows, 'keepAliveTimeout=500ms');
  assert.ok(cellNumber(held, 'newcomers') >= 35, `newcomers ${held.newcomers}`);
  assert.equal(cellNumber(held, 'newcomers_served'), 0);
  // Newcomers arrive after the warm-up, so none took the slot of a connection still opening.
  assert.equal(cellNumber(held, 'errors'), 0);
  // Every newcomer that got an answer was refused; on a loaded machine a few are still
  // waiting for one when the step ends.
  assert.ok(cellNumber(held, 'newcomers_refused') >= cellNumber(held, 'newcomers') * 0.8, `refused ${held.newcomers_refused} of ${held.newcomers}`);
  assert.ok(cellNumber(held, 'rejected_connections') >= cellNumber(held, 'newcomers_refused'));
  assert.ok(cellNumber(held, 'idle_server_sockets') >= 9, `idle ${held.idle_server_sockets}`);
  assert.equal(cellNumber(held, 'peak_server_sockets'), 10);
  assert.ok(cellNumber(released, 'newcomers_served') > 0, `served ${released.newcomers_served}`);
  assert.ok(cellNumber(released, 'newcomers_turned_away_pct') < cellNumber(held, 'newcomers_turned_away_pct'));
  assert.ok(cellNumber(released, 'idle_server_sockets') < cellNumber(held, 'idle_server_sockets'));
  assert.ok(cellNumber(released, 'latency_newcomer_p50_ms') > 0);
  // An answer counts in the part of the step its arrival did: never more answered than arrived.
  for (const row of [held, released]) {
    const answered = cellNumber(row, 'newcomers_served') + cellNumber(row, 'newcomers_refused') + cellNumber(row, 'newcomers_timed_out');
    assert.ok(answered <= cellNumber(row, 'newcomers'), `${row.step}: ${answered} answered of ${row.newcomers} newcomers`);
  }
});
