// The scenario fields of poll, long-poll and WebSocket subscribe: defaults, and one exact
// line for each mistake between fields; the shipped comet scenarios cover every push transport.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ScenarioError } from '../src/errors.js';
import { loadScenario } from '../src/api.js';
import { stepPlan } from '../src/protocols/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockcap-comet-scenario-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let written = 0;
function scenarioFile(text: string): string {
  const file = path.join(dir, `c${++written}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

async function rejectsWith(text: string, problem: string): Promise<void> {
  const file = scenarioFile(text);
  await assert.rejects(loadScenario(file), (err: unknown) => {
    assert.ok(err instanceof ScenarioError);
    assert.equal(err.message, `${file}: ${problem}`);
    assert.equal(err.exitCode, 2);
    return true;
  });
}

test('defaults: /poll every second with jitter, /longpoll held 30 s by the server and 35 s by the client', async () => {
  const { steps } = await loadScenario(scenarioFile('protocol: poll\nserver:\n  eventRate: 1/s\n'));
  const step = steps[0]!;
  assert.equal(stepPlan(step).kind, 'receive');
  assert.equal(stepPlan(step).label, 'protocol: poll');
  assert.deepEqual(step.poll, { path: '/poll', interval: 1000, jitter: true });
  assert.deepEqual(step.longPoll, { path: '/longpoll', timeout: 35_000 });
  assert.deepEqual(step.events, { sequenceField: 'seq', timestampField: 'publishedAt', eventsField: '', sinceParam: 'since' });
  assert.equal(step.websocket.mode, 'echo');
  assert.equal(step.websocket.subscribePath, '/events');
  assert.equal(step.server.eventRate, 1);
  assert.equal(step.server.eventBurst, 1);
  assert.equal(step.server.longPollTimeout, 30_000);
  assert.equal(step.server.eventSize, 32);
});

test('websocket.mode: subscribe makes a WebSocket step receive-driven', async () => {
  const { steps } = await loadScenario(scenarioFile('protocol: websocket\nwebsocket:\n  mode: subscribe\nserver:\n  eventRate: 0.5/s\n  eventBurst: 3\n'));
  assert.equal(stepPlan(steps[0]!).kind, 'receive');
  assert.equal(steps[0]!.server.eventRate, 0.5);
});

test('an external target needs no event rate, and may read events from other fields', async () => {
  const { steps } = await loadScenario(
    scenarioFile(
      'target: http://127.0.0.1:9/\nprotocol: long-poll\nlongPoll:\n  path: /rooms/1/events?after={since}\n  timeout: 65s\n' +
        'events:\n  sequenceField: meta.id\n  timestampField: ""\n  eventsField: items\n',
    ),
  );
  assert.equal(steps[0]!.longPoll.path, '/rooms/1/events?after={since}');
  assert.equal(steps[0]!.events.timestampField, '');
});

test('the built-in target must publish something', () =>
  rejectsWith('protocol: poll\n', 'server.eventRate: expected an event rate above 0 (like 10/s) for protocol: poll against the built-in target, got nothing'));

test('the long-poll client must wait longer than the server holds', () =>
  rejectsWith(
    'protocol: long-poll\nserver:\n  eventRate: 1/s\n  longPollTimeout: 30s\nlongPoll:\n  timeout: 20s\n',
    'longPoll.timeout: expected more than server.longPollTimeout (30s), so the server ends an idle hold, not the client, got "20s"',
  ));

test('no send schedule with a receive-driven protocol', () =>
  rejectsWith(
    'protocol: websocket\nwebsocket:\n  mode: subscribe\nworkload: arrival-rate\nrate: 10/s\nserver:\n  eventRate: 1/s\n',
    'workload: expected workload: closed with protocol: websocket with websocket.mode: subscribe (clients wait for events), got "arrival-rate"',
  ));

test('the endpoint comes from the transport’s path field, not the target URL', () =>
  rejectsWith(
    'target: http://127.0.0.1:9/poll\nprotocol: poll\n',
    'target: expected a target URL without a path for protocol: poll (give the path in poll.path), got "http://127.0.0.1:9/poll"',
  ));

test('field shapes', async () => {
  await rejectsWith('websocket:\n  mode: push\n', 'websocket.mode: expected one of echo, subscribe, got "push"');
  await rejectsWith('events:\n  sequenceField: ""\n', 'events.sequenceField: expected a JSON field name like seq or meta.seq, got ""');
  await rejectsWith('events:\n  sinceParam: "a b"\n', 'events.sinceParam: expected a query parameter name like since, got "a b"');
  await rejectsWith('poll:\n  interval: 0\n', 'poll.interval: expected a duration above 0, got 0');
  await rejectsWith('server:\n  eventBurst: 0\n', 'server.eventBurst: expected a whole number from 1 to 100000, got 0');
});

/** The transport (as transports.csv names it) and event rate of each step of a shipped scenario. */
async function transportsOf(name: string): Promise<{ transport: string; rate: number; clients: number }[]> {
  const { steps } = await loadScenario(path.join(import.meta.dirname, '..', '..', 'scenarios', name));
  return steps.map((step) => {
    const plan = stepPlan(step);
    assert.equal(plan.kind, 'receive', `${step.stepLabel} receives the stream`);
    return { transport: plan.kind === 'receive' ? plan.transport : '', rate: step.server.eventRate, clients: step.connections };
  });
}

const sixTransports = ['poll', 'long-poll', 'websocket', 'sse', 'socketio-polling', 'socketio-websocket'];

test('comet-compare.yaml compares all six transports on one stream, 100 clients each', async () => {
  const steps = await transportsOf('comet-compare.yaml');
  assert.deepEqual(
    steps.map((step) => step.transport),
    sixTransports,
  );
  assert.ok(steps.every((step) => step.rate === 1 && step.clients === 100));
});

test('comet-sweep.yaml covers all six transports at 0.1, 1, 10 and 100 events/s', async () => {
  const steps = await transportsOf('comet-sweep.yaml');
  for (const transport of sixTransports) {
    assert.deepEqual(
      steps
        .filter((step) => step.transport === transport)
        .map((step) => step.rate)
        .sort((a, b) => a - b),
      [0.1, 1, 10, 100],
      transport,
    );
  }
  assert.equal(steps.length, 24);
});
