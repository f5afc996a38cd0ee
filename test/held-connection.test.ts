// What sockcap keeps per held connection, read from heap snapshots of this thread: a hold
// slice runs here against the built-in target (its own process), and then bare ws clients,
// each at two sizes, so what a slice keeps whatever its size cancels out and what is left is
// the cost of one more connection. A hold holds its WebSockets without ws (websocket-hold.ts):
// it must keep less than a bare ws client. A capacity run holds 100,000 connections per box:
// a closure or a timer per connection is megabytes.
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { loadScenario } from '../src/api.js';
import { defaults } from '../src/scenario/defaults.js';
import { spawnTarget, type TargetProcess } from '../src/target/spawn.js';
import type { CoordinatorToWorker, Slice, WorkerToCoordinator } from '../src/worker/messages.js';
import { runSlice } from '../src/worker/run-slice.js';
import { census, objects, ofType, perConnection } from './helpers/heap-census.js';

let target: TargetProcess;
before(async () => {
  target = await spawnTarget({ settings: { ...defaults.server } });
});
after(async () => {
  await target.stop();
});

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a hold slice in this thread until every connection is open; `stop` ends it. */
async function holdSlice(connections: number, set: string[]): Promise<{ stop: () => Promise<void> }> {
  const { steps } = await loadScenario(undefined, {
    commandLine: true,
    set: [`target=${target.url}`, 'protocol=websocket', 'workload=hold', `connections=${connections}`, 'duration=60s', 'connectRate=2000/s', ...set],
  });
  const startAt = Date.now();
  const slice: Slice = {
    scenario: steps[0]!,
    targets: [target.url],
    sources: [],
    trustedCa: undefined,
    workerIndex: 0,
    workerCount: 1,
    connections,
    firstConnection: 0,
    totalConnections: connections,
    startAt,
    measureFrom: startAt,
    endAt: startAt + 60_000,
  };
  const { port1, port2 } = new MessageChannel();
  let open = 0;
  port1.on('message', (message: WorkerToCoordinator) => {
    if (message.type === 'ready') {
      const start: CoordinatorToWorker = { type: 'start', startAt: Date.now(), measureFrom: Date.now(), endAt: Date.now() + 60_000 };
      port1.postMessage(start);
    } else {
      open = message.connectionsOpen;
    }
  });
  const running = runSlice(slice, port2);
  for (let waited = 0; open < connections; waited += 100) {
    assert.ok(waited < 90_000, `only ${open} of ${connections} connections opened`);
    await wait(100);
  }
  return {
    async stop() {
      const stop: CoordinatorToWorker = { type: 'stop' };
      port1.postMessage(stop);
      await running;
      port1.close();
    },
  };
}

const ignore = (): void => {};

/** The least a ws client keeps: one socket, an error listener that does nothing, no closure of its own. */
async function bareClients(connections: number): Promise<WebSocket[]> {
  const url = `${target.url.replace('http', 'ws').replace(/\/$/, '')}/ws`;
  let open = 0;
  const opened = (): void => void open++;
  const clients = Array.from({ length: connections }, () => new WebSocket(url, { perMessageDeflate: false }).on('error', ignore).once('open', opened));
  for (let waited = 0; open < connections; waited += 50) {
    assert.ok(waited < 90_000, `only ${open} of ${connections} bare clients opened`);
    await wait(50);
  }
  return clients;
}

function closeAll(clients: WebSocket[]): Promise<unknown> {
  return Promise.all(clients.map((ws) => new Promise((resolve) => ws.once('close', resolve).terminate())));
}

// A deadline that has passed its use stays queued until it comes due (deadlines.ts): the next
// census waits for those of the last hold to go.
const handshakeTimeoutMs = 1000;
const settleMs = handshakeTimeoutMs + 500;

/** What one more connection keeps, by kind: the census difference between holding `small` and `large`, so what a slice keeps whatever its size (histograms, queues) cancels out. */
async function slope(hold: (connections: number) => Promise<() => Promise<unknown>>, small: number, large: number): Promise<Map<string, number>> {
  const stopSmall = await hold(small);
  const few = await census();
  await stopSmall();
  await wait(settleMs);
  const stopLarge = await hold(large);
  const many = await census();
  await stopLarge();
  await wait(settleMs);
  return perConnection(few, many, large - small);
}

test('a held WebSocket keeps no closure, no timer, and less heap than a bare ws client does', async (t) => {
  // Pings on (a period far longer than the test): pinging must not mean a timer per connection.
  const settings = ['websocket.pingInterval=60s', `websocket.handshakeTimeout=${handshakeTimeoutMs}ms`];
  const holding = async (connections: number): Promise<() => Promise<void>> => (await holdSlice(connections, settings)).stop;
  const bare = async (connections: number): Promise<() => Promise<unknown>> => {
    const clients = await bareClients(connections);
    return () => closeAll(clients);
  };
  // A first small round of each compiles and loads what they use, which is not per connection.
  await (
    await holding(20)
  )();
  await (
    await bare(20)
  )();
  await wait(settleMs);

  const held = await slope(holding, 100, 500);
  const ws = await slope(bare, 100, 500);

  // What sockcap keeps that a bare client does not, to say in a failure.
  const extra = [...held]
    .filter(([kind, n]) => n - (ws.get(kind) ?? 0) >= 0.5 && !kind.startsWith('bytes'))
    .map(([kind, n]) => `${kind} +${(n - (ws.get(kind) ?? 0)).toFixed(2)}`)
    .join(', ');
  const describe = `per held connection: sockcap ${objects(held).toFixed(2)} objects (${ofType(held, 'closure').toFixed(2)} closures, ${held.get('bytes')!.toFixed(0)} bytes), bare ws ${objects(ws).toFixed(2)} (${ofType(ws, 'closure').toFixed(2)}, ${ws.get('bytes')!.toFixed(0)} bytes); more than bare: ${extra}`;
  t.diagnostic(describe);
  assert.ok((held.get('object:Timeout') ?? 0) < 0.05, `Timeout objects per held connection: ${held.get('object:Timeout')}; ${describe}`);
  assert.ok(ofType(held, 'closure') <= ofType(ws, 'closure') + 0.5, describe);
  // A hold needs no ws: no WebSocket, Receiver or Sender per connection, so it keeps about
  // half the objects a bare ws client does (16 against 35 when this was written) and fewer bytes.
  for (const kind of ['object:WebSocket', 'object:Receiver', 'object:Sender']) assert.ok((held.get(kind) ?? 0) < 0.05, `${kind}: ${describe}`);
  assert.ok(objects(held) < 0.6 * objects(ws), describe);
  assert.ok(held.get('bytes')! < ws.get('bytes')!, describe);
});
