// The session and data fields of a scenario: what a file becomes, and one exact line (exit
// 2, before any load) for each mistake: unknown template variables with the names that
// exist, data files with too few rows for `unique`, malformed templates and steps.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ScenarioError } from '../src/errors.js';
import { loadScenario } from '../src/api.js';
import { binPath } from './helpers/cli.js';
import { spawnSync } from 'node:child_process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockcap-session-scenario-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const users = path.join(dir, 'users.csv');
fs.writeFileSync(users, 'token,room\nt1,lobby\nt2,lobby\nt3,games\n');
const jsonl = path.join(dir, 'users.jsonl');
fs.writeFileSync(jsonl, '{"token":"a","user":{"id":1}}\n{"token":"b","extra":true}\n');

let written = 0;
function scenarioFile(text: string): string {
  const file = path.join(dir, `s${++written}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

async function rejectsWith(text: string, problem: string): Promise<void> {
  const file = scenarioFile(text);
  await assert.rejects(loadScenario(file), (err: unknown) => {
    assert.ok(err instanceof ScenarioError, String(err));
    assert.equal(err.message, `${file}: ${problem}`);
    assert.equal(err.exitCode, 2);
    return true;
  });
}

const chat = `target: ws://127.0.0.1:9/chat
protocol: websocket
connections: 3
data: ${users}
websocket:
  headers: { authorization: "Bearer {{data.token}}" }
  subprotocols: [chat.v2]
  session:
    open:
      - send: { json: { type: auth, token: "{{data.token}}" } }
      - expect: { match: { type: auth_ok }, timeout: 2s, capture: { user: user } }
    loop:
      - send: { json: { id: "{{seq}}", op: add, a: 2, b: 3 } }
      - name: add
        expect: { reply: id, match: { result: 5 }, timeout: 5s }
    push: { match: { type: msg }, sequence: seq, timestamp: ts }
`;

test('a WebSocket session file becomes typed steps with names, templates kept as written, data columns and row count', async () => {
  const { steps } = await loadScenario(scenarioFile(chat));
  const step = steps[0]!;
  assert.deepEqual(step.data, { file: users, unique: false, columns: ['token', 'room'], rows: 3 });
  assert.deepEqual(step.websocket.headers, { authorization: 'Bearer {{data.token}}' });
  assert.deepEqual(step.websocket.subprotocols, ['chat.v2']);
  const { open, loop, push } = step.websocket.session;
  assert.deepEqual(open[0], { kind: 'send', payload: { type: 'json', json: { type: 'auth', token: '{{data.token}}' } }, name: 'open[0]', named: false });
  assert.deepEqual(open[1], {
    kind: 'expect',
    match: { type: 'auth_ok' },
    regex: undefined,
    reply: undefined,
    timeout: 2000,
    capture: { user: 'user' },
    name: 'auth_ok',
    named: false,
  });
  assert.equal(loop[1]!.name, 'add');
  assert.equal(loop[1]!.named, true);
  assert.deepEqual(push, { match: { type: 'msg' }, sequence: 'seq', timestamp: 'ts' });
});

test('a .jsonl data file offers every key any line has', async () => {
  const { steps } = await loadScenario(scenarioFile(`target: ws://127.0.0.1:9/\nprotocol: websocket\ndata: { file: ${jsonl} }\n`));
  assert.deepEqual(steps[0]!.data.columns, ['token', 'user', 'extra']);
  assert.equal(steps[0]!.data.rows, 2);
});

test('an unknown template variable is refused with the field, the name and the names that exist', async () => {
  await rejectsWith(
    chat.replace('token: "{{data.token}}" }', 'token: "{{data.tokn}}" }'),
    'websocket.session.open[0].send.json.token: unknown template variable {{data.tokn}} (known: data.token, data.room, user, connection, seq, now, uuid, random A B), got "{{data.tokn}}"',
  );
  await rejectsWith(
    chat.replace('Bearer {{data.token}}', 'Bearer {{usr}}'),
    'websocket.headers.authorization: unknown template variable {{usr}} (known: data.token, data.room, user, connection, seq, now, uuid, random A B), got "Bearer {{usr}}"',
  );
});

test('the same refusal through the CLI: exit 2, one line, no stack trace', () => {
  const file = scenarioFile(chat.replace('"{{seq}}"', '"{{sequence}}"'));
  const result = spawnSync(process.execPath, [binPath, 'run', file], { encoding: 'utf8', cwd: dir });
  assert.equal(result.status, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(
    lines[0]!,
    /websocket\.session\.loop\[0\]\.send\.json\.id: unknown template variable \{\{sequence\}\} \(known: data\.token, data\.room, user, connection, seq/,
  );
  assert.ok(lines[0]!.includes(file));
});

test('unique: true refuses more connections than rows, naming both counts; without it rows are reused', async () => {
  await rejectsWith(
    chat.replace(`data: ${users}`, `data: { file: ${users}, unique: true }`).replace('connections: 3', 'connections: 5'),
    `connections: expected at most 3 connections: data.unique is true and ${users} has 3 rows (add rows, lower connections, or drop unique to reuse rows i mod 3), got 5`,
  );
  const { steps } = await loadScenario(scenarioFile(chat.replace('connections: 3', 'connections: 5')));
  assert.equal(steps[0]!.connections, 5);
});

test('data files that cannot be used are refused at load', async () => {
  const empty = path.join(dir, 'empty.csv');
  fs.writeFileSync(empty, 'token\n');
  await rejectsWith(`data: ${empty}\n`, `data: cannot use "${empty}": expected at least one row of data, found none`);
  await rejectsWith(`data: ${path.join(dir, 'none.csv')}\n`, `data: cannot use "${path.join(dir, 'none.csv')}": file not found: ${path.join(dir, 'none.csv')}`);
  await rejectsWith(`data: { file: ${users}, uniq: true }\n`, 'data.uniq: unknown field (allowed: file, unique)');
});

test('malformed steps and templates are refused where they are written', async () => {
  await rejectsWith(
    'protocol: websocket\nwebsocket:\n  session:\n    loop:\n      - send: { text: "hi {{data.x" }\n',
    'websocket.session.loop[0].send.text: expected each {{ to close with }} around one variable, like {{data.token}}',
  );
  await rejectsWith(
    'protocol: websocket\nwebsocket:\n  session:\n    loop:\n      - send: { text: "{{random 5 1}}" }\n',
    'websocket.session.loop[0].send.text: expected {{random A B}} with whole numbers A <= B, like {{random 1 100}}, got {{random 5 1}}',
  );
  await rejectsWith(
    'protocol: websocket\nwebsocket:\n  session:\n    loop:\n      - send: { text: a }\n        expect: { match: { a: 1 } }\n',
    'websocket.session.loop[0]: expected exactly one of send, expect, pause in a step, like { send: { json: { type: auth } } }, { expect: { match: { type: auth_ok } } } or { pause: 1s }, got {"send":{"text":"a"},"expect":{"match":…',
  );
  await rejectsWith(
    'protocol: websocket\nwebsocket:\n  session:\n    loop:\n      - send: { text: a }\n      - expect: { reply: id }\n',
    'websocket.session.loop[1].expect.reply: expected a send of json before it in loop (the reply is matched on a field of what was sent), got "id"',
  );
  await rejectsWith(
    'protocol: websocket\nwebsocket:\n  session:\n    loop:\n      - send: { json: { op: add } }\n      - expect: { reply: id }\n',
    'websocket.session.loop[1].expect.reply: expected a field that the json sent before it has (add id to that send, like id: "{{seq}}"), got "id"',
  );
});

test('a session needs a loop unless it only receives, and a workload that paces a loop', async () => {
  await rejectsWith(
    'protocol: websocket\nwebsocket:\n  session:\n    open:\n      - send: { text: hello }\n',
    'websocket.session.loop: expected loop steps for the workload to send, or websocket.mode: subscribe for a session that only receives pushed events, got nothing',
  );
  await rejectsWith(
    'protocol: websocket\nworkload: hold\nwebsocket:\n  session:\n    loop:\n      - send: { text: hello }\n',
    'workload: expected closed or arrival-rate with a session (the workload paces its loop), got "hold"',
  );
  await rejectsWith(
    'protocol: http\nhttp:\n  pipelining: 2\n  session:\n    loop:\n      - request: { path: /items }\n',
    'http.pipelining: expected 1 with http.session (a session waits for each answer before its next request), got 2',
  );
});

test('an HTTP session: login capturing a token, then a loop using it', async () => {
  const { steps } = await loadScenario(
    scenarioFile(`protocol: http
data: ${users}
http:
  session:
    open:
      - request: { method: post, path: /login, json: { token: "{{data.token}}" } }
        expect: { status: 200, match: { ok: true } }
        capture: { auth: token, etag: "header:etag" }
    loop:
      - name: items
        request: { path: "/items?room={{data.room}}", headers: { authorization: "Bearer {{auth}}" } }
        expect: { status: [200, 204], headers: { Content-Type: json } }
`),
  );
  const [login] = steps[0]!.http.session.open;
  assert.equal(login!.kind, 'request');
  assert.equal(login!.name, 'login');
  if (login?.kind === 'request') {
    assert.equal(login.method, 'POST');
    assert.deepEqual(login.capture, { auth: 'token', etag: 'header:etag' });
  }
  const [items] = steps[0]!.http.session.loop;
  assert.ok(items?.kind === 'request' && items.named && items.expect.headers['content-type'] === 'json');
  await rejectsWith(
    `protocol: http\nhttp:\n  session:\n    loop:\n      - request: { path: "/items?x={{token}}" }\n`,
    'http.session.loop[0].request.path: unknown template variable {{token}} (known: connection, seq, now, uuid, random A B), got "/items?x={{token}}"',
  );
});
