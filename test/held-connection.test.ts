// What sockcap keeps per held connection, read from heap snapshots of this thread: a hold
// slice runs here against the built-in target (its own process), and then bare ws clients,
// each at two sizes, so what a slice keeps whatever its size cancels out and what is left is
// the cost of one more connection. A hold holds its WebSockets without ws (websocket-hold.ts):
// it must keep less than a bare ws client. A capacity run holds 100,000 connections per box:
// a closure or a timer per connection is megabytes.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { MessageChannel, Worker } from 'node:worker_threads';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { loadScenario } from '../src/api.js';
import { defaults } from '../src/scenario/defaults.js';
import { spawnTarget, type TargetProcess } from '../src/target/spawn.js';
import type { CoordinatorToWorker, Slice, WorkerToCoordinator } from '../src/worker/messages.js';
import { runSlice } from '../src/worker/run-slice.js';
import { holdYoungGenerationMb, poolOptions } from '../src/coordinator/pool.js';
import { Piscina } from 'piscina';
import { bytesByKind, HeapSnapshotFile, objects, ofType, perConnection } from './helpers/heap-census.js';
import { testDir } from './helpers/cli.js';

let target: TargetProcess;
before(async () => {
  target = await spawnTarget({ settings: { ...defaults.server } });
});
after(async () => {
  await target.stop();
});

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A one-worker slice of a step against the built-in target, with the scenario fields in `set`. */
async function sliceOf(connections: number, set: string[]): Promise<Slice> {
  const { steps } = await loadScenario(undefined, {
    commandLine: true,
    set: [`target=${target.url}`, 'protocol=websocket', `connections=${connections}`, 'duration=60s', 'connectRate=2000/s', ...set],
  });
  const startAt = Date.now();
  return {
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
}

/** Runs a hold slice in this thread until every connection is open; `stop` ends it. */
async function holdSlice(connections: number, set: string[]): Promise<{ stop: () => Promise<void> }> {
  const slice = await sliceOf(connections, ['workload=hold', ...set]);
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

/** The least a socket is: Node's net.Socket, connected, with an error listener that does nothing and nothing written. */
async function bareSockets(connections: number): Promise<Socket[]> {
  const { hostname, port } = new URL(target.url);
  let open = 0;
  const opened = (): void => void open++;
  const sockets = Array.from({ length: connections }, () => connect(Number(port), hostname).on('error', ignore).once('connect', opened));
  for (let waited = 0; open < connections; waited += 50) {
    assert.ok(waited < 90_000, `only ${open} of ${connections} bare sockets connected`);
    await wait(50);
  }
  return sockets;
}

// A deadline that has passed its use stays queued until it comes due (deadlines.ts): the next
// census waits for those of the last hold to go.
const handshakeTimeoutMs = 1000;
const settleMs = handshakeTimeoutMs + 500;

/** A snapshot taken while `hold` holds `connections`; what held them is let go of (and unreachable) before it returns. */
async function snapshotHolding(
  hold: (connections: number) => Promise<() => Promise<unknown>>,
  connections: number,
  dir: string,
  name: string,
): Promise<HeapSnapshotFile> {
  const stop = await hold(connections);
  const snapshot = HeapSnapshotFile.take(dir, `${name}-${connections}`);
  await stop();
  await wait(settleMs);
  return snapshot;
}

/**
 * What one more connection keeps, by kind (objects, and bytes under "bytes:<kind>"): the census
 * difference between holding `small` and `large`, so what a slice keeps whatever its size
 * (histograms, queues) cancels out. Both snapshots are read once both are taken.
 */
async function slope(
  hold: (connections: number) => Promise<() => Promise<unknown>>,
  small: number,
  large: number,
  dir: string,
  name: string,
): Promise<Map<string, number>> {
  const few = await snapshotHolding(hold, small, dir, name);
  const many = await snapshotHolding(hold, large, dir, name);
  return perConnection(few.read().census, many.read().census, large - small);
}

/** The kinds `a` has more of than `b` per connection (objects, or bytes with `bytes`), as "object:X +1.00". */
function moreThan(a: Map<string, number>, b: Map<string, number>, bytes: boolean): string {
  return [...a]
    .filter(
      ([kind, n]) => kind.startsWith('bytes:') === bytes && kind !== 'bytes' && !kind.startsWith('bytes:code:') && n - (b.get(kind) ?? 0) >= (bytes ? 8 : 0.5),
    )
    .sort(([kind1, n1], [kind2, n2]) => n2 - (b.get(kind2) ?? 0) - (n1 - (b.get(kind1) ?? 0)))
    .map(([kind, n]) => `${kind.replace(/^bytes:/, '')} +${(n - (b.get(kind) ?? 0)).toFixed(bytes ? 0 : 2)}`)
    .join(', ');
}

test('a held WebSocket keeps no closure, no timer, and little more heap than the Node socket it is held on', async (t) => {
  const dir = testDir(t, 'sockcap-census-');
  // Pings on (a period far longer than the test): pinging must not mean a timer per connection.
  const settings = ['websocket.pingInterval=60s', `websocket.handshakeTimeout=${handshakeTimeoutMs}ms`];
  const holding = async (connections: number): Promise<() => Promise<void>> => (await holdSlice(connections, settings)).stop;
  const bare = async (connections: number): Promise<() => Promise<unknown>> => {
    const clients = await bareClients(connections);
    return () => closeAll(clients);
  };
  const sockets = async (connections: number): Promise<() => Promise<unknown>> => {
    const open = await bareSockets(connections);
    return async () => {
      for (const socket of open) socket.destroy();
      await wait(100);
    };
  };
  // A first small round of each compiles and loads what they use, which is not per connection.
  for (const round of [holding, bare, sockets]) await (await round(20))();
  await wait(settleMs);

  const held = await slope(holding, 100, 500, dir, 'held');
  const ws = await slope(bare, 100, 500, dir, 'ws');
  const net = await slope(sockets, 100, 500, dir, 'net');

  const bytes = (per: Map<string, number>): number => per.get('bytes')!;
  const figures = (per: Map<string, number>): string =>
    `${objects(per).toFixed(2)} objects (${ofType(per, 'closure').toFixed(2)} closures), ${bytes(per).toFixed(0)} bytes`;
  const describe = [
    `per held connection: sockcap ${figures(held)}; bare ws ${figures(ws)}; bare net.Socket ${figures(net)}`,
    `sockcap's bytes: ${bytesByKind(held).join(', ')}`,
    `bare net.Socket's bytes: ${bytesByKind(net).join(', ')}`,
    `more than a bare net.Socket: ${moreThan(held, net, false)}; bytes ${moreThan(held, net, true)}`,
  ].join('\n');
  t.diagnostic(describe);
  assert.ok((held.get('object:Timeout') ?? 0) < 0.05, `Timeout objects per held connection: ${held.get('object:Timeout')}; ${describe}`);
  // The one closure a socket keeps is Node's (WritableState's bound onwrite): sockcap adds none.
  assert.ok(ofType(held, 'closure') <= ofType(net, 'closure') + 0.3, describe);
  // A hold needs no ws: no WebSocket, Receiver or Sender per connection.
  for (const kind of ['object:WebSocket', 'object:Receiver', 'object:Sender']) assert.ok((held.get(kind) ?? 0) < 0.05, `${kind}: ${describe}`);
  // No heap number (a double in a field), no string, no Buffer kept per connection once open,
  // beyond the socket's own (Node's ReadableState keeps its state bits in a heap number).
  for (const kind of ['number:', 'concatenated string:', 'string:', 'object:Buffer', 'object:Uint8Array'])
    assert.ok((held.get(kind) ?? 0) <= (net.get(kind) ?? 0) + 0.3, `${kind}: ${describe}`);
  // When this was written: 12.0 objects and 1,625 bytes against a bare ws client's 29.0 and
  // 3,260, and 3 objects and 211 bytes more than a bare net.Socket's 9.0 and 1,414: the
  // HeldWebSocket (104 B), MeteredSocket's counters (16 B), a two-listener 'close' array (90 B).
  assert.ok(objects(held) < objects(net) + 4.5, describe);
  assert.ok(bytes(held) - bytes(net) < 450, describe);
  assert.ok(bytes(held) < 0.6 * bytes(ws), describe);
});

/**
 * A thread's young generation limit in MB, read once its isolate is up: until then a limit not
 * set reads -1, after it V8's own default (how soon depends on the machine's load).
 */
async function youngGeneration(thread: Pick<Worker, 'resourceLimits'>): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const young = thread.resourceLimits?.maxYoungGenerationSizeMb ?? -1;
    if (young > 0 || Date.now() > deadline) return young;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// V8 grows a thread's young generation to 16 MB semi-spaces under the garbage of opening
// thousands of connections and keeps it: about 2 KiB per connection at 8,000 in one thread,
// half of what a held WebSocket cost in a capacity ladder. A thread that holds gets a small one.
test("a hold's worker thread has a small young generation, a request loop's keeps V8's default", async () => {
  const plain = new Worker('setTimeout(() => {}, 60_000)', { eval: true });
  const v8Default = await youngGeneration(plain);
  await plain.terminate();
  assert.ok(v8Default > holdYoungGenerationMb, `V8's default young generation: ${v8Default} MB`);
  for (const [workload, limit] of [
    ['hold', holdYoungGenerationMb],
    ['reconnect-storm', holdYoungGenerationMb],
    ['closed', undefined],
  ] as const) {
    const pool = new Piscina(poolOptions([await sliceOf(10, [`workload=${workload}`])]));
    try {
      const threads = pool.threads;
      assert.equal(threads.length, 1);
      assert.equal(await youngGeneration(threads[0]!), limit ?? v8Default, workload);
    } finally {
      await pool.destroy();
    }
  }
});
