// The pure parts of the keep-alive lab: think-time distributions (parsed and drawn), the
// client idle timeout undici ends up with, --vary parsing, and the best-combination verdict.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ScenarioError, UsageError } from '../src/errors.js';
import { clientIdleTimeout } from '../src/outputs/keepalive-columns.js';
import { hintThreshold } from '../src/protocols/socket-reuse.js';
import { loadScenario } from '../src/api.js';
import { bestFor } from '../src/sweep/goal.js';
import { combinations, parseVary } from '../src/sweep/vary.js';
import { thinkTimeSampler } from '../src/workloads/think-time.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockcap-keepalive-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let written = 0;
function load(text: string): ReturnType<typeof loadScenario> {
  const file = path.join(dir, `s${++written}.yaml`);
  fs.writeFileSync(file, text);
  return loadScenario(file);
}

describe('thinkTime', () => {
  test('a duration is a fixed pause; a mapping names a distribution', async () => {
    assert.deepEqual((await load('thinkTime: 250ms\n')).base.thinkTime, { distribution: 'fixed', value: 250 });
    assert.deepEqual((await load('thinkTime: { distribution: uniform, min: 100ms, max: 2s }\n')).base.thinkTime, {
      distribution: 'uniform',
      min: 100,
      max: 2000,
    });
    assert.deepEqual((await load('thinkTime: { distribution: exponential, mean: 1s }\n')).base.thinkTime, {
      distribution: 'exponential',
      mean: 1000,
    });
  });

  test('mistakes get one line naming the field', async () => {
    const rejects = async (text: string, problem: RegExp): Promise<void> => {
      await assert.rejects(load(text), (error: unknown) => {
        assert.ok(error instanceof ScenarioError);
        assert.match(error.message, problem);
        return true;
      });
    };
    await rejects('thinkTime: { distribution: normal, mean: 1s }\n', /thinkTime\.distribution: expected one of fixed, uniform, exponential/);
    await rejects('thinkTime: { distribution: uniform, min: 2s, max: 1s }\n', /thinkTime\.max: expected at least min/);
    await rejects('thinkTime: { distribution: exponential }\n', /thinkTime\.mean: expected a duration like 1s/);
    await rejects('thinkTime: { distribution: exponential, mean: 1s, sd: 2s }\n', /thinkTime\.sd: unknown field \(allowed: distribution, mean\)/);
    await rejects(
      'workload: arrival-rate\nrate: 10/s\nthinkTime: { distribution: exponential, mean: 1s }\n',
      /thinkTime: expected no thinkTime with workload: arrival-rate/,
    );
  });

  test('a step may switch distribution', async () => {
    const scenario = await load('thinkTime: { distribution: uniform, min: 1s, max: 2s }\nsteps:\n  - thinkTime: { distribution: exponential, mean: 3s }\n');
    assert.deepEqual(scenario.steps[0]!.thinkTime, { distribution: 'exponential', mean: 3000 });
  });

  test('draws are reproducible per connection, within bounds, with the asked mean', () => {
    const uniform = { distribution: 'uniform', min: 100, max: 300 } as const;
    const a = thinkTimeSampler(uniform, 7);
    const b = thinkTimeSampler(uniform, 7);
    const other = thinkTimeSampler(uniform, 8);
    const drawsA = Array.from({ length: 2000 }, a);
    assert.deepEqual(drawsA, Array.from({ length: 2000 }, b));
    assert.notDeepEqual(drawsA.slice(0, 10), Array.from({ length: 10 }, other));
    assert.ok(drawsA.every((ms) => ms >= 100 && ms < 300));
    assert.ok(Math.abs(drawsA.reduce((s, x) => s + x, 0) / drawsA.length - 200) < 5);
    const exponential = thinkTimeSampler({ distribution: 'exponential', mean: 1000 }, 3);
    const draws = Array.from({ length: 20_000 }, exponential);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    assert.ok(Math.abs(mean - 1000) < 40, `mean ${mean}`);
    // About e^-1 of exponential draws exceed the mean.
    const above = draws.filter((ms) => ms > 1000).length / draws.length;
    assert.ok(Math.abs(above - Math.exp(-1)) < 0.02, `above the mean: ${above}`);
    assert.equal(thinkTimeSampler({ distribution: 'fixed', value: 250 }, 1)(), 250);
  });
});

describe('client idle timeout', () => {
  test('honouring the hint as undici does: min(hint − threshold, keepAliveTimeout), 0 when not positive', async () => {
    const idle = async (http: string, serverTimeout: string): Promise<number> =>
      clientIdleTimeout((await load(`http: { ${http} }\nserver: { keepAliveTimeout: ${serverTimeout} }\n`)).steps[0]!);
    // Node advertises timeout=5 for 5s: 5000 − 2000 = 3000 < 4000.
    assert.equal(await idle('keepAliveTimeout: 4s', '5s'), 3000);
    // timeout=1 − 2 s is not positive: undici closes after every response.
    assert.equal(await idle('keepAliveTimeout: 4s', '1s'), 0);
    assert.equal(await idle('keepAliveTimeout: 4s, keepAliveTimeoutThreshold: 0s', '1500ms'), 1000);
    assert.equal(await idle('keepAliveTimeout: 4s, honourServerHint: false', '1s'), 4000);
  });

  test('ignoring the hint is a threshold that makes undici keep its own timeout for any hint', () => {
    const http = { honourServerHint: false, keepAliveTimeout: 4000, keepAliveTimeoutThreshold: 2000 };
    const threshold = hintThreshold(http);
    for (const hintMs of [0, 1000, 5000, 600_000]) assert.equal(Math.min(hintMs - threshold, http.keepAliveTimeout), 4000);
    assert.equal(hintThreshold({ ...http, honourServerHint: true }), 2000);
  });
});

describe('--vary', () => {
  test('values split on commas outside braces; combinations run first dimension slowest', () => {
    const dimensions = parseVary(['server.keepAliveTimeout=1s,5s', 'thinkTime={ distribution: uniform, min: 1s, max: 2s },500ms']);
    assert.deepEqual(dimensions[1]!.values, ['{ distribution: uniform, min: 1s, max: 2s }', '500ms']);
    assert.deepEqual(combinations(dimensions), [
      ['1s', '{ distribution: uniform, min: 1s, max: 2s }'],
      ['1s', '500ms'],
      ['5s', '{ distribution: uniform, min: 1s, max: 2s }'],
      ['5s', '500ms'],
    ]);
    assert.throws(() => parseVary(['keepAliveTimeout']), UsageError);
    assert.throws(() => parseVary(['a=1,,2']), UsageError);
    assert.throws(() => parseVary(['a=1', 'a=2']), /given twice/);
  });

  test('the best combination is chosen among those without races', () => {
    const rows = [
      { step: 'a', latency_p99_ms: 5, keepalive_race_errors: 3, reuse_pct: 90, errors: 3 },
      { step: 'b', latency_p99_ms: 9, keepalive_race_errors: 0, reuse_pct: 80, errors: 0 },
      { step: 'c', latency_p99_ms: 7, keepalive_race_errors: 0, reuse_pct: 70, errors: 0 },
    ];
    const verdict = bestFor('lowest-p99', rows);
    assert.ok(typeof verdict !== 'string');
    assert.equal(verdict.record.step, 'c');
    assert.match(verdict.text, /at zero keep-alive races: c/);
    const racy = bestFor('lowest-p99', rows.slice(0, 1));
    assert.ok(typeof racy !== 'string' && /every combination had races/.test(racy.text));
    assert.match(bestFor('fewest-idle-sockets', rows) as string, /no combination has idle_server_sockets/);
  });

  test('the best combination comes with its sample size, and is not named when the runner-up is within noise', () => {
    const rows = [
      { step_index: 0, step: 'a', latency_p99_ms: 9, keepalive_race_errors: 0, reuse_pct: 80, errors: 0, requests: 40, messages: 0 },
      { step_index: 1, step: 'b', latency_p99_ms: 7, keepalive_race_errors: 0, reuse_pct: 70, errors: 0, requests: 1200, messages: 0 },
    ];
    // Intervals that varied by 2 ms around 7 and 9 ms: 2 ms apart is well within the noise.
    const noisy = bestFor(
      'lowest-p99',
      rows,
      new Map([
        [0, { mean: 9, deviation: 2 }],
        [1, { mean: 7, deviation: 2 }],
      ]),
    );
    assert.equal(typeof noisy, 'string');
    assert.match(
      noisy as string,
      /^no best for lowest p99 latency at zero keep-alive races: b \(latency_p99_ms 7 ms, on 1,200 requests\) and a \(latency_p99_ms 9 ms, on 40 requests\) are 2 ms apart, noise ±5\.07 ms/,
    );
    // Steady intervals: the same 2 ms is beyond the noise, and the best is named with what it was measured on.
    const steady = bestFor(
      'lowest-p99',
      rows,
      new Map([
        [0, { mean: 9, deviation: 0.1 }],
        [1, { mean: 7, deviation: 0.1 }],
      ]),
    );
    assert.ok(typeof steady !== 'string', typeof steady === 'string' ? steady : '');
    assert.equal(steady.record.step, 'b');
    assert.match(steady.text, /: b \(latency_p99_ms 7 ms, on 1,200 requests, reuse 70 %, 0 errors\); runner-up a 2 ms apart, noise ±0\.253 ms/);
    // Steady but only 0.5 ms apart: under compare's 1 ms latency floor, jitter.
    const close = bestFor(
      'lowest-p99',
      [rows[0]!, { ...rows[1]!, latency_p99_ms: 8.5 }],
      new Map([
        [0, { mean: 9, deviation: 0.01 }],
        [1, { mean: 8.5, deviation: 0.01 }],
      ]),
    );
    assert.match(close as string, /^no best .* are 0\.5 ms apart, noise ±0\.0\d+ ms, within the 1 ms floor/);
    // Unknown noise (one interval each) is said, not hidden.
    assert.match((bestFor('lowest-p99', rows) as { text: string }).text, /on 1,200 requests.*; noise not estimated/);
  });
});
