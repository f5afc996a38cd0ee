// `sockcap probe` against real servers on loopback whose timeouts are known: it must find
// them to within 250 ms, along with the request limit and Connection: close handling.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { runCli, tempDir, testDir } from './helpers/cli.js';
import { closerFor, listenOnFreePort } from './servers/listen.js';
import { startIdleCloseServer } from './servers/idle-close-server.js';

interface Finding {
  key: string;
  value: number | boolean | null;
  resolutionMs?: number;
  tookMs: number;
}

async function probe(url: string, ...flags: string[]): Promise<Map<string, Finding>> {
  const { code, stdout, stderr } = await runCli(['probe', url, '--json', ...flags], tempDir());
  assert.equal(code, 0, stderr);
  const { findings } = JSON.parse(stdout) as { findings: Finding[] };
  return new Map(findings.map((finding) => [finding.key, finding]));
}

function near(finding: Finding | undefined, expectedMs: number): void {
  assert.ok(finding && typeof finding.value === 'number', JSON.stringify(finding));
  assert.ok(Math.abs(finding.value - expectedMs) <= 250, `found ${finding.value} ms, expected ${expectedMs} ± 250`);
  assert.ok(finding.resolutionMs === undefined || finding.resolutionMs <= 250);
}

test('finds the 2 s idle timeout of a server that closes idle sockets exactly then, and that it ignores Connection: close', async () => {
  const server = await startIdleCloseServer(2000);
  try {
    const findings = await probe(server.url, '--max-idle', '5s', '--max-requests', '50');
    near(findings.get('keepAliveIdleTimeout'), 2000);
    assert.equal(findings.get('advertisedKeepAlive')?.value, null);
    assert.equal(findings.get('maxRequestsPerConnection')?.value, null);
    assert.equal(findings.get('connectionCloseHonoured')?.value, false);
  } finally {
    await server.close();
  }
});

test("finds Node's idle close (keepAliveTimeout 1 s + its own 1 s), its advertised hint and its request limit", async () => {
  const server = http.createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 1000;
  server.maxRequestsPerSocket = 5;
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  try {
    const findings = await probe(`http://127.0.0.1:${port}/`, '--max-idle', '5s');
    near(findings.get('keepAliveIdleTimeout'), 2000);
    assert.equal(findings.get('advertisedKeepAlive')?.value, 1000);
    assert.equal(findings.get('maxRequestsPerConnection')?.value, 5);
    assert.equal(findings.get('connectionCloseHonoured')?.value, true);
  } finally {
    await close();
  }
});

test('finds when a silent WebSocket is dropped', async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  // A proxy-like idle cut: no close frame, the TCP connection just ends.
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    setTimeout(() => ws.terminate(), 1000);
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  try {
    const findings = await probe(`ws://127.0.0.1:${port}/`, '--max-idle', '5s');
    near(findings.get('webSocketIdleDrop'), 1000);
  } finally {
    wss.close();
    await close();
  }
});

test('a bad URL or an unreachable target is bad input (exit 2, one line)', async (t) => {
  const dir = testDir(t);
  const bad = await runCli(['probe', 'ftp://127.0.0.1/'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected an http:\/\/, https:\/\/, ws:\/\/ or wss:\/\/ URL/);
  const server = http.createServer();
  const port = await listenOnFreePort(server);
  await new Promise((resolve) => server.close(resolve));
  const unreachable = await runCli(['probe', `http://127.0.0.1:${port}/`], dir);
  assert.equal(unreachable.code, 2, unreachable.stderr);
  assert.match(unreachable.stderr, /unreachable \(ECONNREFUSED\)/);
});
