// The wrk-style line, `sockcap run --target URL -c N -d T`, against nginx and a WebSocket
// echo server: it runs one step of the protocol the URL or --protocol names (never the
// quickstart's two), refuses a scheme that contradicts the protocol before any load, and
// every mistake names the flag typed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startNginx } from '../scripts/bench/nginx.js';
import type { ServerProcess } from '../scripts/bench/processes.js';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startWsEchoServer, type WsEchoServer } from './servers/ws-echo-server.js';

interface RunDocument {
  source: string;
  steps: { label: string; scenario: { protocol: string; connections: number } }[];
}

let nginx: ServerProcess;
let echo: WsEchoServer;

before(async () => {
  nginx = await startNginx();
  echo = await startWsEchoServer();
});
after(async () => {
  await nginx.stop();
  await echo.close();
});

const short = ['-c', '3', '-d', '1s', '-w', '1'];

async function run(args: string[]) {
  const dir = tempDir();
  const out = join(dir, 'results');
  const result = await runCli(['run', ...args, '--out', out], dir);
  return { ...result, out };
}

/** Runs `args`, which must pass with one WebSocket step that echoed messages: its summary row. */
async function oneWebSocketStep(args: string[]): Promise<Record<string, string>> {
  const { code, stderr, out } = await run(args);
  assert.equal(code, 0, stderr);
  const rows = readCsv(join(onlyRunDir(out), 'summary.csv'));
  assert.deepEqual(
    rows.map((row) => row.protocol),
    ['websocket'],
  );
  assert.ok(cellNumber(rows[0], 'messages') > 0);
  return rows[0]!;
}

test('--target http://… runs one HTTP step against that URL, not the quickstart', async () => {
  const { code, stderr, out } = await run(['--target', nginx.url, ...short]);
  assert.equal(code, 0, stderr);
  const runDir = onlyRunDir(out);
  const document = readJson<RunDocument>(join(runDir, 'run.json'));
  assert.equal(document.source, '(command line)');
  assert.deepEqual(
    document.steps.map((step) => [step.scenario.protocol, step.scenario.connections]),
    [['http', 3]],
  );
  const rows = readCsv(join(runDir, 'summary.csv'));
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.errors, '0');
  assert.ok(cellNumber(rows[0], 'requests') > 0);
  assert.match(stderr, /, 1 step\n/);
  // The workload is named as one ("http closed" read as a socket that closed), and one slice is singular.
  assert.match(stderr, /^step 1\/1 main: http, closed workload, 3 connections, 1 process × 1 worker thread \(1 slice\)/m);
});

test('--target ws://… runs one WebSocket step: the scheme says the protocol', async () => {
  const target = echo.url.replace(/^http/, 'ws');
  const row = await oneWebSocketStep(['--target', target, ...short]);
  assert.equal(row.errors, '0');
});

test('--protocol websocket with --target ws://… runs the WebSocket step alone', async () => {
  const target = echo.url.replace(/^http/, 'ws');
  const { code, stderr, out } = await run(['--target', target, '--protocol', 'websocket', ...short]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(
    readCsv(join(onlyRunDir(out), 'summary.csv')).map((row) => row.protocol),
    ['websocket'],
  );
});

test('a ws:// target with --protocol http is refused before any load, naming the flag', async () => {
  const connectionsBefore = echo.counts.connections;
  const { code, stderr, out } = await run(['--target', echo.url.replace(/^http/, 'ws'), '--protocol', 'http', ...short]);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /^sockcap: --protocol: expected websocket, socketio or tcp for the ws:\/\/ target ws:\/\/127\.0\.0\.1:\d+ \(or give an http:\/\/ URL for http\)/m,
  );
  assert.equal(echo.counts.connections, connectionsBefore, 'no load');
  assert.equal(existsSync(out), false, 'no results folder');
});

test('--set protocol= is the protocol as --protocol is: the scheme never replaces it, and a contradicting one is refused before any load', async () => {
  const ws = echo.url.replace(/^http/, 'ws');
  const connectionsBefore = echo.counts.connections;
  for (const args of [
    ['--target', ws, '--set', 'protocol=http'],
    ['--set', `target=${ws}`, '--set', 'protocol=sse'],
  ]) {
    const { code, stderr, out } = await run([...args, ...short]);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^sockcap: --set: protocol: expected websocket, socketio or tcp for the ws:\/\/ target ws:\/\/127\.0\.0\.1:\d+/);
    assert.equal(existsSync(out), false, 'no results folder');
  }
  assert.equal(echo.counts.connections, connectionsBefore, 'no load');
  // An http:// URL is a WebSocket's too (the upgrade is an HTTP request): --set protocol=websocket runs WebSocket, not the scheme's HTTP.
  await oneWebSocketStep(['--target', echo.url, '--set', 'protocol=websocket', ...short]);
});

test('a ws:// target with protocol: http in a scenario file is refused, naming the field', async () => {
  const dir = tempDir();
  const file = join(dir, 'mixed.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, `target: ${echo.url.replace(/^http/, 'ws')}\nprotocol: http\nduration: 1s\n`);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 2);
  assert.match(stderr, /mixed\.yaml: protocol: expected websocket, socketio or tcp for the ws:\/\/ target/);
  assert.equal(existsSync(join(dir, 'results')), false);
});

test('a bad shorthand value names the flag typed, not --set', async () => {
  const duration = await run(['--target', nginx.url, '-d', '10']);
  assert.equal(duration.code, 2);
  assert.match(duration.stderr, /^sockcap: -d\/--duration: expected a duration/m);
  assert.doesNotMatch(duration.stderr, /--set/);
  const protocol = await run(['--target', nginx.url, '--protocol', 'grpc']);
  assert.equal(protocol.code, 2);
  assert.match(protocol.stderr, /^sockcap: --protocol: expected one of http, websocket, poll, long-poll, sse, socketio, tcp, got "grpc"/m);
  const connections = await run(['--target', nginx.url, '-c', 'many']);
  assert.match(connections.stderr, /^sockcap: -c\/--connections: expected a whole number/m);
});

test('sockcap alone names every command once; run --help names --no-progress', async () => {
  const dir = tempDir();
  const bare = await runCli([], dir);
  assert.equal(bare.code, 2);
  assert.equal(
    bare.stderr.trim(),
    'sockcap: name a command: sockcap <command>, one of run, merge, serve, compare, report, sweep, probe, agent, schema (see sockcap --help)',
  );
  const runHelp = await runCli(['run', '--help'], dir);
  assert.match(runHelp.stdout, /--no-progress turns it off/);
  const missing = await runCli(['merge'], dir);
  assert.equal(missing.code, 2);
});

test('every help text lists each flag once, without a yargs "[default: []]"', async () => {
  const dir = tempDir();
  for (const verb of ['run', 'merge', 'serve', 'compare', 'report', 'sweep', 'probe', 'agent', 'schema']) {
    const help = await runCli([verb, '--help'], dir);
    assert.equal(help.code, 0, `${verb}: ${help.stderr}`);
    assert.doesNotMatch(help.stdout, /\[default: \[\]\]/, `${verb} --help`);
    const flags = [...help.stdout.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((match) => match[1]!);
    assert.deepEqual(flags, [...new Set(flags)], `${verb} --help lists a flag twice`);
  }
  assert.match((await runCli(['merge', '--help'], dir)).stdout, /dirs +the shards' results folders \(at least one\) +\[array\] \[required\]\n/);
});

test('an unknown flag, argument or command is named as typed, in one line, exit 2', async () => {
  const dir = tempDir();
  const sweep = writeScenario(dir, 'sweep.yaml', 'name: words\nprotocol: http\n');
  const cases: [string[], string][] = [
    [['sweep', '--no-such-flag', '1'], 'sockcap: sweep has no --no-such-flag (sockcap sweep --help lists what it takes)'],
    [['run', '-x', '3'], 'sockcap: run has no -x (sockcap run --help lists what it takes)'],
    [['merge', 'a', '--out', 'b', '--targetPid', '1'], 'sockcap: merge has no --targetPid (sockcap merge --help lists what it takes)'],
    [['run', 'a.yaml', 'b.yaml'], 'sockcap: run takes no argument b.yaml (sockcap run --help lists what it takes)'],
    [['frob'], 'sockcap: frob is not a command: one of run, merge, serve, compare, report, sweep, probe, agent, schema (see sockcap --help)'],
    [['run', '--target-pid', 'abc'], 'sockcap: --target-pid: expected the process id of the target, a whole number like 4242'],
    [
      ['sweep', sweep, '--vary', 'thinkTime=0s', '--target-pid', '999999999'],
      'sockcap: --target-pid 999999999: no such process (give the pid of the running target)',
    ],
    // sweep takes run's shorthands, and a bad value names the one typed.
    [['sweep', sweep, '--vary', 'thinkTime=0s', '-d', '10'], 'sockcap: -d/--duration: expected a duration like 30s or 250ms, got 10'],
    [['sweep', sweep, '--vary', 'thinkTime=0s', '--connections', 'many'], 'sockcap: -c/--connections: expected a whole number'],
  ];
  for (const [args, line] of cases) {
    const result = await runCli(args, dir);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: one line, got ${result.stderr}`);
    assert.ok(lines[0]!.startsWith(line), `${args.join(' ')}: ${lines[0]}`);
  }
});
