// HTTP sessions end to end through the CLI against a service that needs a login
// (test/servers/login-server.ts): each connection logs in once with its data row, captures
// the token from the answer, and sends it on every loop request; a refused login fails the
// session at its step, and logins are retried only after the backoff.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, runCli, tempDir, writeScenario } from './helpers/cli.js';
import { startLoginServer } from './servers/login-server.js';

const session = (httpFields = ''): string => `http:
${httpFields}  session:
    open:
      - request: { method: POST, path: /login, json: { user: "{{data.user}}", password: "{{data.password}}" } }
        expect: { status: 200, match: { ok: true }, headers: { etag: "^\\"" } }
        capture: { token: token, tag: "header:etag" }
    loop:
      - name: items
        request: { path: "/items?user={{data.user}}", headers: { authorization: "Bearer {{token}}" } }
        expect: { status: 200, match: { user: "{{data.user}}" } }
`;

async function run(
  url: string,
  rows: string,
  extra: string,
  /** More loop steps, after the items request. */
  loop = '',
  httpFields = '',
): Promise<{ code: number | null; output: string; summary: Record<string, string>; errors: Map<string, number>; metrics: Set<string> }> {
  const dir = tempDir('sockcap-http-session-');
  writeFileSync(join(dir, 'users.csv'), rows);
  const file = writeScenario(
    dir,
    'login.yaml',
    `target: ${url}\nprotocol: http\ndata: users.csv\nworkers: 1\ninterval: 500ms\n${extra}${session(httpFields)}${loop}`,
  );
  const { code, stdout, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  const runDir = onlyRunDir(join(dir, 'results'));
  return {
    code,
    output: `${stdout}${stderr}`,
    summary: readCsv(join(runDir, 'summary.csv'))[0]!,
    errors: new Map(readCsv(join(runDir, 'errors.csv')).map((row) => [row.code!, cellNumber(row, 'count')])),
    metrics: new Set(readCsv(join(runDir, 'latency.csv')).map((row) => row.metric!)),
  };
}

test('login once per connection, capture the token, use it in every loop request', async () => {
  const server = await startLoginServer({ ann: 'a-pass', bob: 'b-pass' });
  try {
    const out = await run(server.url, 'user,password\nann,a-pass\nbob,b-pass\n', 'connections: 4\nduration: 1s\n');
    assert.equal(out.code, 0, out.output);
    assert.equal(out.summary.errors, '0', [...out.errors].join(', '));
    assert.equal(server.counts.logins, 4, 'one login per connection');
    assert.equal(server.counts.unauthorized, 0);
    assert.equal(out.summary.sessions_opened, '4');
    // An HTTP session has no messages: none can be unmatched, so the column is empty, not 0.
    assert.equal(out.summary.messages_unmatched, '');
    assert.doesNotMatch(out.output, /unmatched/);
    // Every request counts: the 4 logins and every loop request.
    assert.equal(cellNumber(out.summary, 'requests'), server.counts.logins + server.counts.items);
    assert.ok(server.counts.items > 20, `loop requests ${server.counts.items}`);
    assert.notEqual(out.summary.reply_p50_ms, '');
    assert.ok(out.metrics.has('reply:items') && out.metrics.has('latency'), [...out.metrics].join(', '));
  } finally {
    await server.close();
  }
});

test('each named loop request has its own count, failures and reply figures in summary.csv; a failing status counts against its step', async () => {
  const server = await startLoginServer({ ann: 'a-pass' });
  try {
    const out = await run(
      server.url,
      'user,password\nann,a-pass\n',
      'connections: 2\nduration: 1s\n',
      `      - name: orders
        request: { path: /orders }
        expect: { status: 200 }
`,
    );
    const { summary } = out;
    assert.equal(summary['reply:items_failures'], '0');
    assert.ok(cellNumber(summary, 'reply:items_count') > 10, `items ${summary['reply:items_count']}`);
    // Every third order is a 503: a failure of the orders step, whose error code is the status.
    const refused = out.errors.get('http_503') ?? 0;
    assert.ok(refused > 3, [...out.errors].join(', '));
    assert.equal(cellNumber(summary, 'reply:orders_failures'), refused);
    // The server's own counts, less at most one request per connection cut by the end of the run.
    assert.ok(refused <= server.counts.ordersRefused && refused >= server.counts.ordersRefused - 2, `${refused} of ${server.counts.ordersRefused}`);
    const served = server.counts.orders - server.counts.ordersRefused;
    const timed = cellNumber(summary, 'reply:orders_count');
    assert.ok(timed <= served && timed >= served - 2, `${timed} of ${served}`);
    for (const name of ['items', 'orders']) assert.ok(cellNumber(summary, `reply:${name}_p99_ms`) >= cellNumber(summary, `reply:${name}_p50_ms`));
  } finally {
    await server.close();
  }
});

test('a refused login fails the session at its step, says no session got past open, and retries only after the backoff', async () => {
  const server = await startLoginServer({ ann: 'a-pass' });
  try {
    const out = await run(server.url, 'user,password\nann,wrong\n', 'connections: 3\nduration: 1500ms\n');
    assert.equal(out.summary.sessions_opened, '0');
    assert.ok((out.errors.get('http_401') ?? 0) > 0, [...out.errors].join(', '));
    assert.match(out.output, /no session got past open in step main: http_401 ×\d+/);
    assert.equal(server.counts.items, 0);
    // 3 clients for 1.5 s: without a backoff a closed loop logs in thousands of times.
    assert.ok(server.counts.refusedLogins <= 3 * 15, `login attempts ${server.counts.refusedLogins}`);
  } finally {
    await server.close();
  }
});

test('a session over HTTP/2 (h2c): one connection per session, its requests as streams, the token captured and used', async () => {
  const server = await startLoginServer({ ann: 'a-pass', bob: 'b-pass' }, { http2: true });
  try {
    const out = await run(server.url, 'user,password\nann,a-pass\nbob,b-pass\n', 'connections: 4\nduration: 1s\n', '', '  version: 2\n');
    assert.equal(out.code, 0, out.output);
    assert.equal(out.summary.errors, '0', [...out.errors].join(', '));
    assert.equal(out.summary.http_version, '2');
    assert.equal(server.counts.h2Sessions, 4, 'one HTTP/2 connection per session');
    assert.equal(server.counts.logins, 4);
    assert.equal(server.counts.unauthorized, 0);
    assert.ok(server.counts.items > 20, `loop requests ${server.counts.items}`);
    assert.equal(server.counts.h2Streams, server.counts.logins + server.counts.items);
    assert.equal(cellNumber(out.summary, 'requests'), server.counts.logins + server.counts.items);
    assert.ok(out.metrics.has('reply:items'), [...out.metrics].join(', '));
  } finally {
    await server.close();
  }
});
