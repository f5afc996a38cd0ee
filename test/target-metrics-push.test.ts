// Server figures from a metrics endpoint where a push transport and a hold are priced: the
// built-in target run as its own process (`sockcap serve`, which exports nothing) with
// `sockcap agent` beside it, the run reading the server only from the agent. transports.csv
// gets the server's CPU per 1,000 delivered events and capacity.csv its memory per held
// connection; and a run told both --target-pid and --target-metrics is refused.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type ServerProcess } from '../scripts/bench/processes.js';
import { binPath, cellNumber, onlyRunDir, readCsv, runCli, testDir, writeScenario } from './helpers/cli.js';

let target: ServerProcess;
let agent: ServerProcess;

before(async () => {
  target = await startServer(
    'sockcap serve',
    process.execPath,
    [binPath, 'serve', '--port', '0', '--event-rate', '20/s'],
    /sockcap target listening on (http:\/\/\S+)/,
  );
  agent = await startServer(
    'sockcap agent',
    process.execPath,
    [binPath, 'agent', '--listen', '127.0.0.1:0', '--pid', String(target.pid)],
    /sockcap agent listening on (http:\/\/\S+)/,
  );
});
after(async () => {
  await agent.stop();
  await target.stop();
});

async function runWith(t: Parameters<typeof testDir>[0], scenario: string) {
  const dir = testDir(t);
  const file = writeScenario(dir, 'scenario.yaml', `target: ${target.url}\nworkers: 1\nwarmup: 500ms\nduration: 1500ms\ninterval: 500ms\n${scenario}`);
  const result = await runCli(['run', file, '--target-metrics', agent.url, '--out', join(dir, 'results')], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, new RegExp(`server figures from ${agent.url} \\(sockcap agent, 1 process summed\\)`));
  return onlyRunDir(join(dir, 'results'));
}

test(
  "WebSocket subscribe against a target measured only by its metrics endpoint: transports.csv has the server's cost per event",
  { timeout: 60_000 },
  async (t) => {
    const runDir = await runWith(t, 'name: push-metrics\nprotocol: websocket\nwebsocket:\n  mode: subscribe\nconnections: 4\n');
    const [row] = readCsv(join(runDir, 'transports.csv'));
    assert.equal(row!.transport, 'websocket');
    assert.ok(cellNumber(row, 'events_delivered') > 0, JSON.stringify(row));
    assert.ok(cellNumber(row, 'server_cpu_ms_per_1k_events') > 0, JSON.stringify(row));
    assert.ok(cellNumber(row, 'server_rss_mib') > 0, JSON.stringify(row));
  },
);

test('a hold against a target measured only by its metrics endpoint: capacity.csv prices the server per held connection', { timeout: 60_000 }, async (t) => {
  const runDir = await runWith(t, 'name: hold-metrics\nprotocol: websocket\nworkload: hold\nconnections: 50\nconnectRate: 500/s\n');
  const [capacity] = readCsv(join(runDir, 'capacity.csv'));
  assert.equal(cellNumber(capacity, 'connections_held'), 50);
  // An RSS delta over 50 connections: garbage collection can move it either way, so only that it was measured.
  assert.ok(Number.isFinite(cellNumber(capacity, 'server_kib_per_conn')), JSON.stringify(capacity));
  assert.ok(cellNumber(capacity, 'server_cpu_ms_per_conn') > 0, JSON.stringify(capacity));
  const [summary] = readCsv(join(runDir, 'summary.csv'));
  assert.equal(cellNumber(summary, 'server_kib_per_conn'), cellNumber(capacity, 'server_kib_per_conn'));
});

test('--target-pid with --target-metrics is refused in one line naming both, exit 2, nothing run', async (t) => {
  const dir = testDir(t);
  const { code, stderr } = await runCli(
    ['run', '--target', target.url, '-d', '1s', '--target-pid', String(target.pid), '--target-metrics', agent.url, '--out', join(dir, 'results')],
    dir,
  );
  assert.equal(code, 2, stderr);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, /^sockcap: .*--target-pid.*--target-metrics/);
  assert.doesNotMatch(stderr, /\n\s+at /);
  assert.equal(existsSync(join(dir, 'results')), false, 'no results folder');
});
