// A held WebSocket without ws (websocket-hold.ts) against servers sockcap's authors did not
// write: it answers pings, echoes the server's close code, reconnects after the server closes
// it, sends the scenario's subprotocols and headers, and names a failed upgrade as the ws
// driver does.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, runCli, testDir, writeScenario } from './helpers/cli.js';
import { startPythonHoldServer } from './servers/python-hold-server.js';
import { startRawUpgradeServer, type RawUpgradeMode } from './servers/raw-upgrade-server.js';

async function hold(dir: string, scenario: string): Promise<{ summary: Record<string, string>; errors: Record<string, string>[] }> {
  const file = writeScenario(dir, 'scenario.yaml', scenario);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.ok(code === 0 || code === 1, stderr);
  const run = onlyRunDir(join(dir, 'results'));
  return { summary: readCsv(join(run, 'summary.csv'))[0]!, errors: readCsv(join(run, 'errors.csv')) };
}

const countOf = (errors: Record<string, string>[], code: string): number => Number(errors.find((row) => row.code === code)?.count ?? 0);

test('against Python websockets: pings answered, the close code echoed, every connection back after the server closes it', async (t) => {
  const server = await startPythonHoldServer();
  t.after(() => server.close());
  const { summary, errors } = await hold(
    testDir(t),
    [
      'name: python-hold',
      `target: ${server.url.replace('http', 'ws')}/`,
      'protocol: websocket',
      'workload: hold',
      'connections: 5',
      'workers: 1',
      'duration: 2500ms',
      'interval: 500ms',
      'websocket:',
      '  subprotocols: [hold.v1]',
      // sockcap's own pings too: a pong it missed would be a ping_timeout.
      '  pingInterval: 200ms',
      '  pingTimeout: 1s',
      "  headers: { X-Token: 't-{{connection}}' }",
      'reconnect:',
      '  backoff: 100ms',
      '  jitter: false',
    ].join('\n'),
  );
  const stats = await server.stats();
  // Every connection lived through its three pings (400 ms) and a close, at least once more after a reconnect.
  assert.ok(stats.connections >= 10, JSON.stringify(stats));
  assert.equal(stats.unanswered, 0, JSON.stringify(stats));
  assert.ok(stats.pongs >= 3 * 10, JSON.stringify(stats));
  assert.ok((stats.closeCodes['4001'] ?? 0) >= 10, JSON.stringify(stats));
  // What the server saw besides 4001: sockcap's own 1000 at the end.
  assert.deepEqual(
    Object.keys(stats.closeCodes).filter((code) => code !== '4001' && code !== '1000'),
    [],
    JSON.stringify(stats),
  );
  assert.deepEqual(stats.subprotocols, { 'hold.v1': stats.connections });
  assert.deepEqual(Object.keys(stats.tokens).sort(), ['t-0', 't-1', 't-2', 't-3', 't-4']);
  assert.ok(cellNumber(summary, 'reconnects') >= 5, `reconnects ${summary.reconnects}`);
  assert.equal(cellNumber(summary, 'connections_failed'), 0);
  assert.deepEqual(errors, []);
});

const failures: [RawUpgradeMode, string, string][] = [
  ['bad-accept', 'protocol_error', ''],
  ['refuse', 'ws_http_503', ''],
  ['mute', 'handshake_timeout', '  handshakeTimeout: 300ms\n'],
];

for (const [mode, code, settings] of failures) {
  test(`a ${mode} upgrade is counted as ${code}, as ws would name it, and tried again`, async (t) => {
    const server = await startRawUpgradeServer(mode);
    t.after(() => server.close());
    const { summary, errors } = await hold(
      testDir(t),
      `name: ${mode}\ntarget: ${server.url}\nprotocol: websocket\nworkload: hold\nconnections: 2\nworkers: 1\nduration: 1s\nwebsocket:\n${settings}  pingInterval: 0s\nreconnect:\n  backoff: 100ms\n  jitter: false\nverdict: { maxErrorRate: off }\n`,
    );
    assert.deepEqual(
      errors.map((row) => row.code),
      [code],
    );
    assert.ok(countOf(errors, code) >= 4, `${code} ${countOf(errors, code)}: each connection tried again`);
    assert.equal(cellNumber(summary, 'connections_failed'), countOf(errors, code));
  });
}

test('a message split over two reads is counted once as unexpected, and a ping in the middle is answered', async (t) => {
  const server = await startRawUpgradeServer('chatty');
  t.after(() => server.close());
  const { errors } = await hold(
    testDir(t),
    `name: chatty\ntarget: ${server.url}\nprotocol: websocket\nworkload: hold\nconnections: 3\nworkers: 1\nduration: 1s\nverdict: { maxErrorRate: off }\n`,
  );
  assert.equal(server.counts.upgrades, 3);
  assert.equal(server.counts.pongs, 3);
  assert.deepEqual(errors, [{ step: 'main', code: 'ws_unexpected_reply', count: '3' }]);
});
