// Scenario loading, the bad path: every mistake a user is likely to make in a file or a --set
// gets one exact line. Scenario files are real files in a temp dir.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ScenarioError } from '../src/errors.js';
import { applySet } from '../src/scenario/index.js';
import { loadScenario } from '../src/api.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockcap-scenario-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let written = 0;
function scenarioFile(text: string, extension = '.yaml'): string {
  const file = path.join(dir, `s${++written}${extension}`);
  fs.writeFileSync(file, text);
  return file;
}

const topLevelFields =
  'name, target, protocol, workload, connections, duration, warmup, interval, workers, thinkTime, rate, stages, maxQueue, newcomers, http, websocket, poll, longPoll, sse, socketio, events, server, targetMetrics, tls, processes, sources, connectRate, reconnect, data, thresholds, redact, verdict, steps';
const httpFields =
  'method, path, headers, body, keepAlive, keepAliveTimeout, honourServerHint, keepAliveTimeoutThreshold, pipelining, timeout, version, streams, session';

/** Loads `text` as a scenario file and expects exactly `problem` after the file name. */
async function rejectsWith(text: string, problem: string): Promise<void> {
  const file = scenarioFile(text);
  await assert.rejects(loadScenario(file), (err: unknown) => {
    assert.ok(err instanceof ScenarioError);
    assert.equal(err.message, `${file}: ${problem}`);
    assert.equal(err.exitCode, 2);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

describe('bad scenarios get one exact line', () => {
  test('unknown top-level field, with the closest name suggested', () =>
    rejectsWith('conections: 5\n', `conections: unknown field; did you mean connections? (allowed: ${topLevelFields})`));

  test('a nested field written at the top level points to where it belongs', () =>
    rejectsWith('keepAlive: false\n', `keepAlive: unknown field; did you mean http.keepAlive? (allowed: ${topLevelFields})`));

  test('unknown nested field', () =>
    rejectsWith('http:\n  keepAlve: false\n', `http.keepAlve: unknown field; did you mean keepAlive? (allowed: ${httpFields})`));

  test('unknown field far from any name gets no guess', () =>
    rejectsWith('http:\n  compression: gzip\n', `http.compression: unknown field (allowed: ${httpFields})`));

  test('wrong type', () => rejectsWith('http:\n  keepAlive: maybe\n', 'http.keepAlive: expected true or false, got "maybe"'));

  test('duration with an unknown unit', () => rejectsWith('duration: 30 seconds\n', 'duration: expected a duration like 30s or 250ms, got "30 seconds"'));

  test('a bare non-zero duration is ambiguous', () => rejectsWith('duration: 30\n', 'duration: expected a duration like 30s or 250ms, got 30'));

  test('duration of zero', () => rejectsWith('duration: 0\n', 'duration: expected a duration above 0, got 0'));

  test('interval below 100ms', () => rejectsWith('interval: 50ms\n', 'interval: expected a duration of at least 100ms, got "50ms"'));

  test('bad size', () => rejectsWith('websocket:\n  messageSize: 32 bytes\n', 'websocket.messageSize: expected a size like 64B, 1KiB or 2MiB, got "32 bytes"'));

  test('size below the minimum', () => rejectsWith('websocket:\n  messageSize: 0B\n', 'websocket.messageSize: expected a size of at least 1B, got "0B"'));

  test('negative connections', () => rejectsWith('connections: -5\n', 'connections: expected a whole number of at least 1, got -5'));

  test('non-integer connections', () => rejectsWith('connections: 2.5\n', 'connections: expected a whole number of at least 1, got 2.5'));

  test('workers out of range', () => rejectsWith('workers: 65\n', 'workers: expected auto or a whole number of worker threads from 1 to 64, got 65'));

  test('bad enum names the allowed values', () =>
    rejectsWith('protocol: grpc\n', 'protocol: expected one of http, websocket, poll, long-poll, sse, socketio, tcp, got "grpc"'));

  test('bad method, after upper-casing', () =>
    rejectsWith('http:\n  method: fetch\n', 'http.method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "fetch"'));

  test('target that is not an absolute http(s)/ws(s) URL', () =>
    rejectsWith(
      'target: localhost:8080\n',
      'target: expected an absolute http://, https://, ws:// or wss:// URL, or null for the built-in target, got "localhost:8080"',
    ));

  test('null is a type error except for target', () => rejectsWith('warmup: null\n', 'warmup: expected a duration like 30s or 250ms, got null'));

  test('arrival-rate without a rate or stages', () =>
    rejectsWith('workload: arrival-rate\n', 'rate: expected a rate above 0 (like 2000/s) or a stages list for workload: arrival-rate, got nothing'));

  test('a rate with a closed workload', () =>
    rejectsWith('rate: 2000/s\n', 'rate: expected no rate with workload: closed (set workload: arrival-rate to send at a fixed rate), got "2000/s"'));

  test('header value that is not a string', () =>
    rejectsWith('http:\n  headers:\n    x-debug: true\n', 'http.headers.x-debug: expected a string on one line, got true'));

  test('headers that are not a mapping', () =>
    rejectsWith('http:\n  headers: [a, b]\n', 'http.headers: expected a mapping of header names to values, got ["a","b"]'));

  test('a header the client sets from another field', () =>
    rejectsWith(
      'http:\n  headers:\n    Connection: close\n',
      'http.headers.Connection: expected no connection header (use http.keepAlive: false for Connection: close), got "close"',
    ));

  test('a stage without its target', () =>
    rejectsWith(
      'workload: arrival-rate\nstages:\n  - duration: 10s\n',
      'stages[0].target: expected a number of connections (workload: closed) or a rate like 2000/s (workload: arrival-rate), got nothing',
    ));

  test('server timeouts Node would refuse', () =>
    rejectsWith('server:\n  headersTimeout: 400s\n', 'server.headersTimeout: expected at most server.requestTimeout (5m), got "400s"'));

  test('a long value is cut to 40 characters', () =>
    rejectsWith(`protocol: ${'x'.repeat(60)}\n`, `protocol: expected one of http, websocket, poll, long-poll, sse, socketio, tcp, got "${'x'.repeat(38)}…`));

  test('an error inside a step points into the step', () =>
    rejectsWith(
      'steps:\n  - http:\n      keepAlive: false\n  - http:\n      keepAlive: sometimes\n',
      'steps[1].http.keepAlive: expected true or false, got "sometimes"',
    ));

  test('an unknown field inside a step', () =>
    rejectsWith(
      'steps:\n  - conections: 5\n',
      `steps[0].conections: unknown field; did you mean connections? (allowed: ${topLevelFields.replace(', steps', '')})`,
    ));

  test('two steps with one name', () => rejectsWith('steps:\n  - name: a\n  - name: a\n', 'steps[1].name: expected a name no other step uses, got "a"'));

  test('a step that is not a mapping', () =>
    rejectsWith('steps:\n  - keepalive-off\n', 'steps[0]: expected a mapping of the fields this step changes, like { connections: 200 }, got "keepalive-off"'));

  test('YAML syntax error with line and column', () =>
    rejectsWith(
      'connections: 5\nhttp:\n  keepAlive: true\n keepAliveTimeout: 4s\n',
      'YAML syntax error at line 4, column 1: All mapping items must start at the same column',
    ));

  test('duplicate keys are a syntax error', () =>
    rejectsWith('connections: 5\nconnections: 6\n', 'YAML syntax error at line 2, column 1: Map keys must be unique'));

  test('a second YAML document', () =>
    rejectsWith('connections: 5\n---\nconnections: 6\n', 'YAML syntax error at line 2, column 1: expected one document, found another after ---'));

  test('top level that is not a mapping', () =>
    rejectsWith('- connections: 5\n', 'expected a mapping of scenario fields (like duration: 10s) at the top level, got [{"connections":5}]'));

  test('an empty file', () =>
    rejectsWith('# nothing yet\n', 'expected a mapping of scenario fields (like duration: 10s) at the top level, got an empty document'));
});

describe('files and flags', () => {
  test('missing file', async () => {
    await assert.rejects(loadScenario('no/such/x.yaml'), {
      name: 'ScenarioError',
      message: 'no/such/x.yaml: file not found (give a path to a .yaml or .json scenario, or run `sockcap run` with no argument for the quickstart)',
    });
  });

  test('a file that is not YAML or JSON', async () => {
    const file = scenarioFile('connections: 5\n', '.txt');
    await assert.rejects(loadScenario(file), { message: `${file}: expected a scenario file ending in .yaml, .yml or .json` });
  });

  test('bad --set syntax', async () => {
    const file = scenarioFile('connections: 5\n');
    for (const assignment of ['connections', '=5', 'http..keepAlive=false', '.http=1', 'steps[x].connections=1']) {
      await assert.rejects(loadScenario(file, { set: [assignment] }), {
        message: `--set: ${assignment}: expected path=value, like http.keepAlive=false`,
      });
    }
  });

  test('a bad --set value is reported against --set, not the file', async () => {
    const file = scenarioFile('connections: 5\n');
    await assert.rejects(loadScenario(file, { set: ['http.keepAlive=maybe'] }), {
      message: '--set: http.keepAlive: expected true or false, got "maybe"',
    });
    await assert.rejects(loadScenario(file, { set: ['http.keepAlve=false'] }), {
      message: `--set: http.keepAlve: unknown field; did you mean keepAlive? (allowed: ${httpFields})`,
    });
  });

  test('--set into something that is not a mapping', () => {
    assert.throws(() => applySet({ http: { keepAlive: true } }, 'http.keepAlive.x=1'), {
      message: '--set: http.keepAlive.x=1: expected http.keepAlive to be a mapping, got true',
    });
    assert.throws(() => applySet({ steps: [{}] }, 'steps[3].connections=1'), {
      message: '--set: steps[3].connections=1: expected the index of an existing item of steps (it has 1), got 3',
    });
  });

  test('JSON files load, and their syntax errors say JSON', async () => {
    const good = await loadScenario(scenarioFile('{ "connections": 7, "http": { "keepAlive": false } }', '.json'));
    assert.equal(good.base.connections, 7);
    assert.equal(good.base.http.keepAlive, false);
    const file = scenarioFile('{ "connections": 7', '.json');
    await assert.rejects(loadScenario(file), { message: `${file}: JSON syntax error at line 1, column 19: Flow map must end with a }` });
  });
});
