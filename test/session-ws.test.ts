// WebSocket sessions end to end through the CLI against a purpose-built chat service
// (test/servers/chat-server.ts): upgrade headers and subprotocols from per-connection data,
// auth and subscribe once per connection, correlated replies with unrelated messages and
// delays between, pushed events in the same session, and the failures a user meets (a bad
// token closed 4401, wrong answers, no answers, closes) counted by the step that failed,
// with reconnects held back by the backoff.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startChatServer, type ChatOptions, type ChatServer } from './servers/chat-server.js';
import { startWsEchoServer } from './servers/ws-echo-server.js';

interface Outcome {
  code: number | null;
  /** What the run printed, stdout and stderr. */
  stderr: string;
  summary: Record<string, string>;
  /** summary.csv's header, in order. */
  summaryColumns: string[];
  errors: Map<string, number>;
  latencyMetrics: Set<string>;
}

const tokens = ['t1', 't2', 't3'];

function session(extra = ''): string {
  return `  session:
    open:
      - send: { json: { type: auth, token: "{{data.token}}" } }
      - expect: { match: { type: auth_ok }, timeout: 2s, capture: { user: user } }
      - send: { json: { type: subscribe, room: "{{data.room}}" } }
      - expect: { match: { type: subscribed } }
    loop:
      - send: { json: { id: "{{seq}}", op: add, a: 2, b: 3, from: "{{user}}" } }
      - name: add
        expect: { reply: id, match: { result: 5 }, timeout: 1s }
${extra}`;
}

async function runAgainst(server: ChatServer, rows: string, scenario: string, args: string[] = []): Promise<Outcome> {
  const dir = tempDir('sockcap-session-');
  writeFileSync(join(dir, 'users.csv'), rows);
  const file = writeScenario(
    dir,
    'chat.yaml',
    `target: ${server.url}/chat\nprotocol: websocket\ndata: users.csv\nwarmup: 0s\ninterval: 500ms\nworkers: 1\n${scenario}`,
  );
  const { code, stdout, stderr } = await runCli(['run', file, '--out', join(dir, 'results'), ...args], dir);
  const runDir = onlyRunDir(join(dir, 'results'));
  return {
    code,
    stderr: `${stdout}${stderr}`,
    summary: readCsv(join(runDir, 'summary.csv'))[0]!,
    summaryColumns: readFileSync(join(runDir, 'summary.csv'), 'utf8').split('\n')[0]!.split(','),
    errors: new Map(readCsv(join(runDir, 'errors.csv')).map((row) => [row.code!, cellNumber(row, 'count')])),
    latencyMetrics: new Set(readCsv(join(runDir, 'latency.csv')).map((row) => row.metric!)),
  };
}

async function withChat<T>(options: ChatOptions, body: (server: ChatServer) => Promise<T>): Promise<T> {
  const server = await startChatServer(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

const stepColumns = (name: string): string[] => ['count', 'failures', 'p50_ms', 'p99_ms', 'max_ms'].map((suffix) => `reply:${name}_${suffix}`);

test('a chat session: per-connection tokens in the upgrade and the auth message, correlated replies among unrelated messages, pushed events', async () => {
  await withChat({ tokens, replyDelayMs: 20, historyDelayMs: 80, noise: 2, pushEveryMs: 100 }, async (server) => {
    const out = await runAgainst(
      server,
      'token,room\nt1,lobby\nt2,games\n',
      `connections: 4
duration: 1500ms
thresholds: ["reply:add.p99 < 5s", "reply.p50 < 1ms"]
websocket:
  headers: { authorization: "Bearer {{data.token}}", cookie: "sid={{data.token}}" }
  subprotocols: [chat.v2]
${session(`      - send: { json: { id: "{{seq}}", op: history } }
      - name: history
        expect: { reply: id, timeout: 1s }
    push: { match: { type: msg }, sequence: seq, timestamp: ts }`)}`,
    );
    // The second threshold cannot hold with a 20 ms reply delay: the run measures replies.
    assert.equal(out.code, 1, out.stderr);
    assert.match(out.stderr, /reply\.p50 < 1ms/);
    const { summary } = out;
    assert.equal(summary.errors, '0', `errors: ${[...out.errors].join(', ')}`);
    assert.equal(summary.sessions_opened, '4');
    assert.ok(cellNumber(summary, 'messages') > 20, `loops done: ${summary.messages}`);
    // Two notices before every answer, none of them an error.
    assert.ok(cellNumber(summary, 'messages_unmatched') >= 2 * cellNumber(summary, 'messages'), `unmatched ${summary.messages_unmatched}`);
    assert.ok(cellNumber(summary, 'reply_p50_ms') >= 20, `reply p50 ${summary.reply_p50_ms} ms against a 20 ms delay`);
    assert.ok(cellNumber(summary, 'events') > 20, `pushed events ${summary.events}`);
    assert.equal(summary.lost, '0');
    assert.notEqual(summary.delivery_p50_ms, '');
    assert.ok(out.latencyMetrics.has('reply') && out.latencyMetrics.has('reply:add'), [...out.latencyMetrics].join(', '));
    // Each named step gets its own figures in summary.csv, after the fixed columns, in the session's order.
    assert.deepEqual(out.summaryColumns.slice(-10), [...stepColumns('add'), ...stepColumns('history')]);
    const add = { count: cellNumber(summary, 'reply:add_count'), p50: cellNumber(summary, 'reply:add_p50_ms') };
    const history = { count: cellNumber(summary, 'reply:history_count'), p50: cellNumber(summary, 'reply:history_p50_ms') };
    assert.equal(summary['reply:add_failures'], '0');
    assert.equal(summary['reply:history_failures'], '0');
    // Every loop done got both replies; a loop cut by the end of the run may have got its first.
    assert.ok(history.count >= cellNumber(summary, 'messages') && add.count >= history.count, `add ${add.count}, history ${history.count}`);
    assert.ok(add.count <= server.counts.sums && history.count <= server.counts.histories);
    // The 20 ms sum and the 80 ms history, each timed apart (the all-steps reply column mixes them).
    assert.ok(add.p50 >= 20 && add.p50 < 80, `add p50 ${add.p50} ms`);
    assert.ok(history.p50 >= 80, `history p50 ${history.p50} ms`);
    assert.ok(cellNumber(summary, 'reply:history_max_ms') >= cellNumber(summary, 'reply:history_p99_ms'));
    // Connection i got row i mod 2: t1, t2, t1, t2, each in its upgrade header and its auth message.
    assert.deepEqual([...server.tokensSeen].sort(), ['t1', 't1', 't2', 't2']);
    assert.deepEqual(server.upgrades.map((u) => u.authorization).sort(), ['Bearer t1', 'Bearer t1', 'Bearer t2', 'Bearer t2']);
    assert.deepEqual(server.upgrades.map((u) => u.cookie).sort(), ['sid=t1', 'sid=t1', 'sid=t2', 'sid=t2']);
    assert.ok(server.upgrades.every((u) => u.protocol === 'chat.v2'));
  });
});

test('several replies to one send, each its own step, in a closed loop paced by thinkTime', async () => {
  await withChat({ tokens, replyDelayMs: 30 }, async (server) => {
    const out = await runAgainst(
      server,
      'token,room\nt1,a\n',
      `connections: 2
duration: 1500ms
thinkTime: 200ms
websocket:
  session:
    open:
      - send: { json: { type: auth, token: "{{data.token}}" } }
      - expect: { match: { type: auth_ok } }
    loop:
      - send: { json: { id: "{{seq}}", op: watch } }
      - name: first
        expect: { reply: id, match: { part: 1 } }
      - name: second
        expect: { reply: id, match: { part: 2 } }
`,
    );
    assert.equal(out.summary.errors, '0', [...out.errors].join(', '));
    const loops = cellNumber(out.summary, 'messages');
    // 2 connections, about 230 ms a loop (30 ms for the second reply, 200 ms of think time), 1.5 s.
    assert.ok(loops >= 4 && loops <= 2 * 8, `loops ${loops}`);
    assert.ok(cellNumber(out.summary, 'reply:second_count') >= loops);
    assert.ok(cellNumber(out.summary, 'reply:second_p50_ms') >= 30, `second reply p50 ${out.summary['reply:second_p50_ms']} ms`);
    assert.ok(cellNumber(out.summary, 'reply:first_p50_ms') < 30, `first reply p50 ${out.summary['reply:first_p50_ms']} ms`);
  });
});

test('connection i gets data row i across worker threads, generator processes and shards', async () => {
  const rows = ['token,room', ...[0, 1, 2, 3, 4, 5].map((i) => `t${i},r${i}`)].join('\n');
  const scenario = `connections: 6
duration: 1s
websocket:
  headers: { authorization: "Bearer {{data.token}} {{connection}}" }
${session()}`;
  const allTokens = [0, 1, 2, 3, 4, 5].map((i) => `t${i}`);
  const rowOfEachConnection = (server: ChatServer): void => {
    for (const { authorization } of server.upgrades) {
      const [, token, connection] = /^Bearer t(\d) (\d)$/.exec(authorization ?? '') ?? [];
      assert.equal(token, connection, `upgrade ${authorization}: connection ${connection} got row ${token}`);
    }
  };
  await withChat({ tokens: allTokens }, async (server) => {
    const out = await runAgainst(server, rows, scenario.replace('connections: 6', 'connections: 6\nprocesses: 2'), ['--set', 'workers=2']);
    assert.equal(out.summary.sessions_opened, '6', out.stderr);
    assert.equal(out.summary.generator_processes, '2');
    assert.deepEqual([...server.tokensSeen].sort(), allTokens);
    rowOfEachConnection(server);
  });
  await withChat({ tokens: allTokens }, async (server) => {
    for (const shard of ['1/2', '2/2']) await runAgainst(server, rows, scenario, ['--shard', shard]);
    assert.deepEqual([...server.tokensSeen].sort(), allTokens);
    rowOfEachConnection(server);
  });
});

test('a bad token: refused at auth (an error, then close 4401), no session past open, said in one line, reconnects held back by the backoff', async () => {
  await withChat({ tokens }, async (server) => {
    const out = await runAgainst(server, 'token,room\nwrong,lobby\n', `connections: 5\nduration: 2s\nwebsocket:\n${session()}`);
    assert.equal(out.summary.sessions_opened, '0');
    assert.equal(out.summary.messages, '0');
    // The service answers the auth with an error, then closes: the answer is the first thing wrong.
    assert.ok((out.errors.get('session_mismatch:auth_ok') ?? 0) > 0, [...out.errors].join(', '));
    assert.match(out.stderr, /no session got past open in step main: session_mismatch:auth_ok ×\d+/);
    // 5 clients for 2 s: an unchecked closed loop reconnects thousands of times; the backoff
    // (100 ms doubling, jittered) allows about a dozen attempts each.
    assert.ok(server.counts.authBad <= 5 * 15, `auth attempts ${server.counts.authBad}`);
    assert.ok(server.counts.authBad >= 5, `auth attempts ${server.counts.authBad}`);
  });
});

test('wrong answers are session_mismatch:add and no message; silence is session_expect_timeout:add', async () => {
  await withChat({ tokens, answers: 'wrong' }, async (server) => {
    const out = await runAgainst(server, 'token,room\nt1,a\n', `connections: 2\nduration: 1s\nwebsocket:\n${session()}`);
    assert.equal(out.summary.messages, '0');
    assert.equal(out.summary.reply_p50_ms, '');
    assert.ok((out.errors.get('session_mismatch:add') ?? 0) > 0, [...out.errors].join(', '));
    // The step's own columns: every wrong answer a failure, no reply timed, its latency empty (not 0).
    assert.equal(cellNumber(out.summary, 'reply:add_failures'), out.errors.get('session_mismatch:add'));
    assert.equal(out.summary['reply:add_count'], '0');
    assert.equal(out.summary['reply:add_p99_ms'], '');
    assert.match(out.stderr, /failing steps: session_mismatch:add ×\d+/);
    assert.equal(out.summary.sessions_opened, '2');
  });
  await withChat({ tokens, answers: 'silent' }, async (server) => {
    const out = await runAgainst(
      server,
      'token,room\nt1,a\n',
      `connections: 2\nduration: 1500ms\nwebsocket:\n${session().replace('timeout: 1s', 'timeout: 300ms')}`,
    );
    assert.equal(out.summary.messages, '0');
    const timeouts = out.errors.get('session_expect_timeout:add') ?? 0;
    // Each connection times out every 300 ms (plus the closed loop's 10 ms pause after a failure).
    assert.ok(timeouts >= 4 && timeouts <= 12, `timeouts ${timeouts}`);
    assert.equal(cellNumber(out.summary, 'reply:add_failures'), timeouts);
  });
});

test('an expect in open that gets another message or none names its step; a server closing mid-loop is counted and the session comes back', async () => {
  await withChat({ tokens, closeAfter: 3 }, async (server) => {
    const out = await runAgainst(server, 'token,room\nt1,a\n', `connections: 2\nduration: 1500ms\nwebsocket:\n${session()}`);
    assert.ok((out.errors.get('ws_close_4003') ?? 0) > 0, [...out.errors].join(', '));
    assert.ok(cellNumber(out.summary, 'sessions_opened') > 2, `sessions ${out.summary.sessions_opened}: reopened after each close`);
    assert.ok(cellNumber(out.summary, 'messages') >= 6);
    // A close while the step waits for its reply is that step's failure too, though its code is the close's.
    assert.equal(cellNumber(out.summary, 'reply:add_failures'), out.errors.get('ws_close_4003'));
  });
  await withChat({ tokens }, async (server) => {
    const out = await runAgainst(
      server,
      'token,room\nt1,a\n',
      `connections: 1\nduration: 1s\nwebsocket:\n${session().replace('match: { type: auth_ok }, timeout: 2s', 'match: { type: welcome }, timeout: 2s')}`,
    );
    assert.ok((out.errors.get('session_mismatch:welcome') ?? 0) > 0, [...out.errors].join(', '));
  });
  await withChat({ tokens }, async (server) => {
    const out = await runAgainst(
      server,
      'token,room\nt1,a\n',
      `connections: 1\nduration: 1s\nwebsocket:\n${session().replace('      - send: { json: { type: subscribe', '      - expect: { match: { type: motd }, timeout: 200ms }\n      - send: { json: { type: subscribe')}`,
    );
    assert.ok((out.errors.get('session_expect_timeout:motd') ?? 0) > 0, [...out.errors].join(', '));
    assert.equal(out.summary.sessions_opened, '0');
  });
});

test('a subprotocol the server picks but the scenario did not offer is ws_subprotocol_mismatch', async () => {
  await withChat({ tokens, subprotocol: 'chat.v1' }, async (server) => {
    const out = await runAgainst(server, 'token,room\nt1,a\n', `connections: 1\nduration: 500ms\nwebsocket:\n  subprotocols: [chat.v2]\n${session()}`);
    assert.ok((out.errors.get('ws_subprotocol_mismatch') ?? 0) > 0, [...out.errors].join(', '));
    assert.equal(out.summary.sessions_opened, '0');
  });
});

test('echo mode checks the echo: a service answering something else is ws_unexpected_reply, not messages and RTTs', async () => {
  await withChat({ tokens }, async (server) => {
    const out = await runAgainst(server, 'token\nt1\n', 'connections: 3\nduration: 1500ms\n');
    assert.equal(out.summary.messages, '0');
    // No echo came back: no round trip was measured, an empty cell rather than 0.
    assert.equal(out.summary.latency_p50_ms, '');
    assert.ok((out.errors.get('ws_unexpected_reply') ?? 0) > 0, [...out.errors].join(', '));
    // Every reconnect waits the backoff: 3 clients, 1.5 s.
    assert.ok(server.counts.upgrades <= 3 * 15, `upgrades ${server.counts.upgrades}`);
  });
});

test('open-model timing with sessions: a loop that cannot keep up shows in the loop latency from the intended time, not in reply', async () => {
  await withChat({ tokens, replyDelayMs: 200 }, async (server) => {
    // 4 connections at 200 ms per loop serve 20 loops/s; 60/s are asked.
    const out = await runAgainst(
      server,
      'token,room\nt1,a\n',
      `connections: 4\nduration: 1500ms\nworkload: arrival-rate\nrate: 60/s\nwebsocket:\n${session()}`,
    );
    const reply = cellNumber(out.summary, 'reply_p99_ms');
    const loop = cellNumber(out.summary, 'latency_p99_ms');
    assert.ok(reply >= 200 && reply < 400, `reply p99 ${reply}`);
    assert.ok(loop > 2 * reply, `loop p99 ${loop} ms from the intended time, reply p99 ${reply} ms`);
    assert.ok(out.latencyMetrics.has('schedule_lag'));
  });
});

test('subscribe mode is a session with only push: auth and subscribe first, control messages never bad events', async () => {
  await withChat({ tokens, pushEveryMs: 50 }, async (server) => {
    const dir = tempDir('sockcap-session-');
    writeFileSync(join(dir, 'users.csv'), 'token,room\nt1,lobby\nt2,games\n');
    const file = writeScenario(
      dir,
      'push.yaml',
      `target: ${server.url}
protocol: websocket
data: users.csv
connections: 3
duration: 1500ms
interval: 500ms
workers: 1
websocket:
  mode: subscribe
  subscribePath: /chat
  session:
    open:
      - send: { json: { type: auth, token: "{{data.token}}" } }
      - expect: { match: { type: auth_ok } }
      - send: { json: { type: subscribe, room: "{{data.room}}" } }
    push: { match: { type: msg }, sequence: seq, timestamp: ts }
`,
    );
    const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
    assert.equal(code, 0, stderr);
    const runDir = onlyRunDir(join(dir, 'results'));
    const summary = readCsv(join(runDir, 'summary.csv'))[0]!;
    assert.equal(summary.latency_metric, 'delivery');
    assert.equal(summary.sessions_opened, '3');
    assert.equal(
      summary.errors,
      '0',
      readCsv(join(runDir, 'errors.csv'))
        .map((row) => `${row.code} ${row.count}`)
        .join(', '),
    );
    assert.ok(cellNumber(summary, 'events') > 3 * 20, `events ${summary.events}`);
    assert.equal(summary.lost, '0');
    // `subscribed` is neither expected nor an event: unmatched, not event_bad_sequence.
    assert.equal(summary.messages_unmatched, '3');
  });
});

test('text with a regex that captures, a pause, and binary messages (base64 and a file) in one loop, against a plain echo server', async () => {
  const server = await startWsEchoServer();
  try {
    const dir = tempDir('sockcap-session-');
    const file = writeScenario(
      dir,
      'steps.yaml',
      `target: ws://127.0.0.1:${server.port}/
protocol: websocket
connections: 2
duration: 1s
workers: 1
interval: 500ms
websocket:
  session:
    loop:
      - send: { text: "ping-{{connection}}-{{seq}}" }
      - name: pong
        expect: { regex: "^ping-(?<conn>\\\\d+)-\\\\d+$", timeout: 1s }
      - pause: 100ms
      - send: { binary: AAEC }
      - expect: {}
      - send: { file: blob.bin }
      - expect: { timeout: 1s }
`,
    );
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 255, 1, 254]));
    const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
    assert.equal(code, 0, stderr);
    const runDir = onlyRunDir(join(dir, 'results'));
    const summary = readCsv(join(runDir, 'summary.csv'))[0]!;
    const loops = cellNumber(summary, 'messages');
    assert.equal(summary.errors, '0');
    // Each loop waits 100 ms: at most about 10 a second per connection.
    assert.ok(loops >= 4 && loops <= 2 * 12, `loops ${loops}`);
    assert.ok(cellNumber(summary, 'latency_p50_ms') >= 100, `loop p50 ${summary.latency_p50_ms} ms includes the pause`);
    const replies = readCsv(join(runDir, 'latency.csv')).filter((row) => row.metric === 'reply:pong');
    assert.ok(replies.length > 0, 'the named regex expect has its own reply histogram');
    // A text and two binary messages per loop reached the server (the last loop may be cut at the end).
    assert.ok(server.counts.messages >= 3 * loops, `server saw ${server.counts.messages} for ${loops} loops`);
  } finally {
    await server.close();
  }
});
