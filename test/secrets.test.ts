// Secrets never leave the process: credential headers, headers named in `redact:` and URL
// passwords are sent to the target (URL credentials as HTTP Basic, on WebSocket upgrades
// too) but appear in no file, console line, error or comparison.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir, writeScenario, type CliResult } from './helpers/cli.js';
import { startAuthServer, type AuthServer } from './servers/auth-server.js';

const password = 'pa55-Word%2Fsecret';
const decodedPassword = 'pa55-Word/secret';
const basic = `Basic ${Buffer.from(`alice:${decodedPassword}`).toString('base64')}`;
const cookie = 'session=cookie-secret-4711';
const apiKey = 'api-key-secret-0815';
const custom = 'custom-secret-2342';
const secrets = [password, decodedPassword, basic.slice('Basic '.length), cookie, apiKey, custom];

let server: AuthServer;
let dir: string;
before(async () => {
  server = await startAuthServer(basic);
  dir = tempDir();
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function scenarioText(protocol: string, secretValue: string): string {
  return [
    `target: http://alice:${password}@127.0.0.1:${server.port}/`,
    `protocol: ${protocol}`,
    'connections: 4',
    'duration: 600ms',
    'interval: 200ms',
    'redact: [X-Session]',
    'http:',
    '  headers:',
    `    Cookie: "${cookie}"`,
    `    X-Api-Key: ${apiKey}`,
    `    X-Session: ${secretValue}`,
    '',
  ].join('\n');
}

/** Every file under `root`, with its text. */
function filesUnder(root: string): { file: string; text: string }[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, text: readFileSync(file, 'latin1') }));
}

function assertNoSecret(where: string, text: string): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${where} shows the secret ${secret}`);
}

function assertClean(results: CliResult[], root: string): void {
  results.forEach((result, i) => {
    assertNoSecret(`stdout of command ${i}`, result.stdout);
    assertNoSecret(`stderr of command ${i}`, result.stderr);
  });
  const files = filesUnder(root);
  assert.ok(files.length > 8, `expected the results files under ${root}`);
  for (const { file, text } of files) assertNoSecret(file, text);
}

test('URL credentials go out as HTTP Basic on requests and WebSocket upgrades; no output of run, report or compare shows a secret', async () => {
  const out = join(dir, 'results');
  const http = writeScenario(dir, 'http.yaml', scenarioText('http', custom));
  const ws = writeScenario(dir, 'ws.yaml', scenarioText('websocket', custom));
  const other = writeScenario(dir, 'other.yaml', scenarioText('http', 'custom-secret-changed'));
  const commands: CliResult[] = [];
  const run = async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, dir);
    commands.push(result);
    return result;
  };
  const first = await run(['run', http, '--out', out, '--run-id', 'http', '--set', `http.headers.X-Session=${custom}`]);
  assert.equal(first.code, 0, first.stderr);
  const upgraded = await run(['run', ws, '--out', out, '--run-id', 'ws']);
  assert.equal(upgraded.code, 0, upgraded.stderr);
  assert.equal(server.counts.refused, 0, 'every request and upgrade carried the URL credentials');
  assert.ok(server.counts.authorized > 10, `authorized requests: ${server.counts.authorized}`);
  assert.ok(server.counts.upgrades >= 4 && server.counts.messages > 0, 'WebSocket upgrades were authorized and echoed');
  assert.deepEqual([...server.cookies], [cookie], 'the headers themselves are sent as given');

  const second = await run(['run', other, '--out', out, '--run-id', 'other']);
  assert.equal(second.code, 0, second.stderr);
  const report = await run(['report', join(out, 'http'), '--markdown', join(out, 'report.md')]);
  assert.equal(report.code, 0, report.stderr);
  const compare = await run(['compare', join(out, 'http'), join(out, 'other'), '--csv', join(out, 'compare.csv'), '--markdown', join(out, 'compare.md')]);
  assert.ok(compare.code === 0 || compare.code === 1, compare.stderr);

  const runJson = readFileSync(join(out, 'http', 'run.json'), 'utf8');
  assert.match(runJson, /"Cookie": "<redacted>"/);
  assert.match(runJson, /alice:<redacted>@127\.0\.0\.1/);
  assertClean(commands, out);
});

test('errors about a target or a header never quote a secret', async () => {
  const unreachable = await runCli(['run', '--target', `http://alice:${password}@127.0.0.1:1/`, '-d', '1s'], dir);
  assert.equal(unreachable.code, 2, unreachable.stderr);
  assert.match(unreachable.stderr, /unreachable/);
  const badUrl = await runCli(['run', '--target', `http://alice:${password}@127.0.0.1:99999/`, '-d', '1s'], dir);
  assert.equal(badUrl.code, 2, badUrl.stderr);
  assert.match(badUrl.stderr, /alice:<redacted>@/);
  const badHeader = await runCli(['run', '--set', `http.headers.Cookie=${cookie}\u0001`, '-d', '1s'], dir);
  assert.equal(badHeader.code, 2, badHeader.stderr);
  assert.match(badHeader.stderr, /http\.headers\.Cookie: expected a string on one line, got one with a control character/);
  for (const result of [unreachable, badUrl, badHeader]) assertNoSecret('stderr', result.stderr);
});
