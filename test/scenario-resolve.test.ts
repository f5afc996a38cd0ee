// Scenario loading, the good path: files come back typed, defaulted and merged, --set lands
// typed, and the units read what people write. Scenario files are real files in a temp dir.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { UnitError, applySet, defaults, formatDuration, parseDuration, parseRate, parseSize, validateScenario } from '../src/scenario/index.js';
import { loadScenario } from '../src/api.js';
import { protocolRules } from '../src/protocols/scenario-rules.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockcap-scenario-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let written = 0;
function scenarioFile(text: string): string {
  const file = path.join(dir, `s${++written}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

describe('good scenarios', () => {
  test('an empty mapping gets every default, named after the file', async () => {
    const file = scenarioFile('{}\n');
    const resolved = await loadScenario(file);
    const name = path.basename(file, '.yaml');
    assert.deepEqual(resolved.base, { ...defaults, name });
    assert.equal(resolved.source, file);
    assert.deepEqual(resolved.steps, [{ ...defaults, name, stepIndex: 0, stepLabel: 'main' }]);
    assert.deepEqual(resolved.raw, {});
    assert.equal(defaults.http.method, 'GET');
    assert.equal(defaults.workers, 0, 'workers: auto');
    assert.ok(Object.isFrozen(defaults.http.headers), 'a result cannot change the defaults of later loads');
    resolved.base.http.headers.x = 'y';
    assert.deepEqual(defaults.http.headers, {});
  });

  test('units are parsed into ms, bytes and per second', async () => {
    const resolved = await loadScenario(
      scenarioFile(
        [
          'workload: arrival-rate',
          'rate: 2000/s',
          'duration: 1.5s',
          'warmup: 500us',
          'interval: 2m',
          'websocket:',
          '  messageSize: 1KiB',
          'server:',
          '  responseSize: 2MiB',
          '  keepAliveTimeout: 1h',
          '  requestTimeout: 0',
          'stages:',
          '  - { duration: 30s, target: 120/m }',
        ].join('\n'),
      ),
    );
    const s = resolved.base;
    assert.equal(s.rate, 2000);
    assert.equal(s.duration, 1500);
    assert.equal(s.warmup, 0.5);
    assert.equal(s.interval, 120_000);
    assert.equal(s.websocket.messageSize, 1024);
    assert.equal(s.server.responseSize, 2 * 1024 * 1024);
    assert.equal(s.server.keepAliveTimeout, 3_600_000);
    assert.deepEqual(s.stages, [{ duration: 30_000, target: 2 }]);
  });

  test('values are normalised where the file may be loose', async () => {
    const resolved = await loadScenario(scenarioFile('target: http://127.0.0.1:8080/\nhttp:\n  method: post\n  body: "{}"\n  headers:\n    x-retry: 3\n'));
    assert.equal(resolved.base.target, 'http://127.0.0.1:8080/');
    assert.equal(resolved.base.http.method, 'POST');
    assert.deepEqual(resolved.base.http.headers, { 'x-retry': '3' });
    assert.equal((await loadScenario(scenarioFile('target: null\n'))).base.target, undefined);
  });

  test('steps merge onto the base: objects merge, everything else replaces', async () => {
    const resolved = await loadScenario(
      scenarioFile(
        [
          'connections: 20',
          'http:',
          '  path: /api',
          '  headers: { x-a: "1" }',
          'steps:',
          '  - http: { keepAlive: false, headers: { x-b: "2" } }',
          '    connections: 200',
          '  - name: websocket',
          '    protocol: websocket',
        ].join('\n'),
      ),
    );
    const [first, second] = resolved.steps;
    assert.ok(first && second);
    assert.equal(first.stepIndex, 0);
    assert.equal(first.stepLabel, 'http.keepAlive=false http.headers.x-b=2 connections=200');
    assert.equal(first.http.keepAlive, false);
    assert.equal(first.http.path, '/api');
    assert.deepEqual(first.http.headers, { 'x-a': '1', 'x-b': '2' });
    assert.equal(first.connections, 200);
    assert.equal(second.stepLabel, 'websocket');
    assert.equal(second.protocol, 'websocket');
    assert.equal(second.name, resolved.base.name, 'a step name labels the step, it does not rename the scenario');
    assert.equal(second.http.keepAlive, true);
    assert.equal(second.connections, 20);
    assert.equal(resolved.base.connections, 20);
  });

  test('a base completed by every step is fine', async () => {
    const resolved = await loadScenario(scenarioFile('workload: arrival-rate\nsteps:\n  - rate: 100/s\n  - rate: 200/s\n'));
    assert.deepEqual(
      resolved.steps.map((step) => [step.stepLabel, step.rate]),
      [
        ['rate=100/s', 100],
        ['rate=200/s', 200],
      ],
    );
  });

  test('--set overrides are applied and typed', async () => {
    const file = scenarioFile('connections: 5\nsteps:\n  - name: one\n  - name: two\n');
    const resolved = await loadScenario(file, {
      set: ['http.keepAlive=false', 'connections=200', 'duration=30s', 'http.headers.x-api-key=abc', 'steps[1].connections=7', 'http.body={"id":1}'],
    });
    assert.equal(resolved.base.http.keepAlive, false);
    assert.equal(resolved.base.connections, 200);
    assert.equal(resolved.base.duration, 30_000);
    assert.deepEqual(resolved.base.http.headers, { 'x-api-key': 'abc' });
    assert.equal(resolved.base.http.body, '{"id":1}');
    assert.deepEqual(
      resolved.steps.map((step) => step.connections),
      [200, 7],
    );
    assert.equal((resolved.raw.http as Record<string, unknown>).keepAlive, false, 'raw records the overrides');
  });

  test('--set cannot reach Object.prototype', () => {
    const raw: Record<string, unknown> = {};
    applySet(raw, '__proto__.polluted=yes');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.throws(() => validateScenario(raw, { where: 'x.yaml', name: 'x', protocolRules }), {
      // The full list of fields is checked word for word in scenario.test.ts.
      message: /^x\.yaml: __proto__: unknown field \(allowed: name, target, protocol, .*, steps\)$/,
    });
  });

  test('the quickstart loads with two steps', async () => {
    const resolved = await loadScenario(undefined);
    assert.equal(resolved.source, '(built-in quickstart)');
    assert.equal(resolved.base.name, 'quickstart');
    assert.equal(resolved.base.target, undefined);
    assert.deepEqual(
      resolved.steps.map((step) => [step.stepLabel, step.protocol, step.connections, step.duration, step.warmup, step.workers]),
      [
        ['http-keepalive', 'http', 50, 5000, 1000, 0],
        ['websocket-echo', 'websocket', 50, 5000, 1000, 0],
      ],
    );
    assert.equal(resolved.steps[1]?.websocket.messageSize, 32);
  });

  test('the keep-alive scenario compares keepAlive on and off', async () => {
    const resolved = await loadScenario(path.join(import.meta.dirname, '..', '..', 'scenarios', 'http-keepalive-off.yaml'));
    assert.deepEqual(
      resolved.steps.map((step) => [step.http.keepAlive, step.connections, step.duration]),
      [
        [true, 20, 5000],
        [false, 20, 5000],
      ],
    );
  });
});

describe('units', () => {
  test('durations', () => {
    const cases: [unknown, number][] = [
      ['1.5s', 1500],
      ['250ms', 250],
      ['2m', 120_000],
      ['1h', 3_600_000],
      ['500us', 0.5],
      ['500µs', 0.5],
      ['1m30s', 90_000],
      [0, 0],
    ];
    for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, String(input));
    for (const bad of [30, '30', '-1s', '1.s', 's', '', null, true]) {
      assert.throws(
        () => parseDuration(bad),
        (err: unknown) => err instanceof UnitError && err.expected === 'expected a duration like 30s or 250ms',
      );
    }
  });

  test('sizes', () => {
    const cases: [unknown, number][] = [
      ['1KiB', 1024],
      ['1KB', 1000],
      ['64B', 64],
      ['2MiB', 2 * 1024 ** 2],
      ['1.5KiB', 1536],
      [64, 64],
      ['64', 64],
    ];
    for (const [input, bytes] of cases) assert.equal(parseSize(input), bytes, String(input));
    for (const bad of ['1.5B', '1 KiBs', 1.5, '', null]) {
      assert.throws(
        () => parseSize(bad),
        (err: unknown) => err instanceof UnitError && err.expected === 'expected a size like 64B, 1KiB or 2MiB',
      );
    }
  });

  test('rates', () => {
    const cases: [unknown, number][] = [
      ['2000/s', 2000],
      ['120/m', 2],
      ['0.5/s', 0.5],
      ['3600/h', 1],
      [100, 100],
    ];
    for (const [input, perSecond] of cases) assert.equal(parseRate(input), perSecond, String(input));
    for (const bad of ['2000/d', 'fast', Number.POSITIVE_INFINITY, null]) {
      assert.throws(
        () => parseRate(bad),
        (err: unknown) => err instanceof UnitError && err.expected === 'expected a rate like 2000/s or 120/m',
      );
    }
  });

  test('formatDuration writes what parseDuration reads', () => {
    for (const [ms, text] of [
      [0, '0'],
      [0.5, '500us'],
      [250, '250ms'],
      [1500, '1.5s'],
      [90_000, '1m30s'],
      [3_600_000, '1h'],
    ] as const) {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text), ms);
    }
  });
});
