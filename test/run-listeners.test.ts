// An API user's AbortSignal outlives the run it is given to: every step once left its
// listeners on it, so a scenario of six steps (comet-compare) had Node print a
// MaxListenersExceededWarning and a long-lived program kept them all.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import { after, test } from 'node:test';
import { loadScenario, run } from '../src/api.js';
import { tempDir, writeScenario } from './helpers/cli.js';
import { closerFor, listenOnFreePort } from './servers/listen.js';

const server = http.createServer((_request, response) => response.end('ok'));
const close = closerFor(server);
after(close);

test('a run of six steps leaves no listener on the signals it was given, and Node warns of none', async () => {
  const port = await listenOnFreePort(server);
  const dir = tempDir();
  const steps = Array.from({ length: 6 }, (_, i) => `  - name: s${i}\n`).join('');
  const file = writeScenario(
    dir,
    'six-steps.yaml',
    `target: http://127.0.0.1:${port}/\nprotocol: http\nconnections: 2\nworkers: 1\nwarmup: 0s\nduration: 300ms\ninterval: 100ms\nsteps:\n${steps}`,
  );
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  const signal = new AbortController().signal;
  const hurry = new AbortController().signal;
  try {
    const result = await run(await loadScenario(file), { resultsDir: dir, signal, hurry });
    assert.equal(result.steps.length, 6);
    assert.equal(result.status, 'completed');
  } finally {
    process.off('warning', onWarning);
  }
  assert.equal(getEventListeners(signal, 'abort').length, 0, 'listeners left on signal');
  assert.equal(getEventListeners(hurry, 'abort').length, 0, 'listeners left on hurry');
  assert.deepEqual(
    warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message),
    [],
  );
});
