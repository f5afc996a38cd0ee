// Wire bytes per interval come from the sockets that moved bytes in it: a snapshot of many
// idle connections reads none of them, and the counts still add up, byte for byte, to what
// the server read and wrote.
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { Recorder } from '../src/metrics/recorder.js';
import { socketOpener } from '../src/protocols/socket-opener.js';
import type { RunDocument } from '../src/results/run-document.js';
import { cellNumber, onlyRunDir, readCsv, readJson, runCli, testDir, writeScenario } from './helpers/cli.js';
import { closerFor, listenOnFreePort } from './servers/listen.js';

const idle = 200;
const busy = 5;

/** Counts every read of a socket's byte counters: what a snapshot costs. */
function countReads(socket: net.Socket, reads: { count: number }): void {
  for (const name of ['bytesRead', 'bytesWritten'] as const) {
    Object.defineProperty(socket, name, {
      get(this: net.Socket) {
        reads.count++;
        // The prototype's getter, run on this socket.
        return Reflect.get<net.Socket, typeof name>(net.Socket.prototype, name, this);
      },
    });
  }
}

test('a snapshot reads only the sockets that moved bytes, and counts what the server saw', async () => {
  const served: net.Socket[] = [];
  const server = net.createServer((socket) => {
    served.push(socket);
    // Echoes twice what it reads: sent and received differ.
    socket.on('data', (chunk) => socket.write(Buffer.concat([chunk, chunk])));
  });
  const close = closerFor(server);
  const port = await listenOnFreePort(server);
  const recorder = new Recorder();
  const opener = socketOpener(recorder, undefined);
  const reads = { count: 0 };
  try {
    const sockets = await Promise.all(
      Array.from({ length: idle }, async () => {
        const { socket } = opener.open({ host: '127.0.0.1', port });
        socket.on('data', () => {});
        await once(socket, 'connect');
        countReads(socket, reads);
        return socket;
      }),
    );
    recorder.takeInterval();
    assert.equal(recorder.connectionsOpen, idle);

    reads.count = 0;
    const quiet = recorder.takeInterval();
    assert.equal(reads.count, 0, `an interval of ${idle} idle connections read their counters ${reads.count} times`);
    assert.equal(quiet.counters.bytesSent, 0);
    assert.equal(quiet.counters.bytesReceived, 0);

    // A few connections talk: 10 bytes each way out, 20 back.
    await Promise.all(
      sockets.slice(0, busy).map(async (socket) => {
        socket.write('0123456789');
        await once(socket, 'data');
      }),
    );
    reads.count = 0;
    const talked = recorder.takeInterval();
    assert.ok(reads.count > 0 && reads.count <= busy * 2, `read ${reads.count} times for ${busy} busy connections`);
    assert.equal(talked.counters.bytesSent, busy * 10);
    assert.equal(talked.counters.bytesReceived, busy * 20);

    // Closing counts what each socket moved last; the totals are the server's, byte for byte.
    sockets[0]!.end('bye');
    await once(sockets[0]!, 'close');
    const closed = recorder.takeInterval();
    assert.equal(closed.counters.bytesSent, 3);
    assert.equal(closed.counters.connectionsClosed, 1);
    const serverRead = served.reduce((sum, socket) => sum + socket.bytesRead, 0);
    const serverWritten = served.reduce((sum, socket) => sum + socket.bytesWritten, 0);
    assert.equal(talked.counters.bytesSent + closed.counters.bytesSent, serverRead);
    assert.equal(talked.counters.bytesReceived + closed.counters.bytesReceived, serverWritten);
    for (const socket of sockets) socket.destroy();
  } finally {
    await close();
  }
});

for (const protocol of ['websocket', 'http']) {
  test(`${protocol} against the built-in target: the bytes sockcap sent are the bytes the target read`, async (t) => {
    const dir = testDir(t);
    const file = writeScenario(dir, 'scenario.yaml', `name: bytes\nprotocol: ${protocol}\nconnections: 4\nduration: 1500ms\ninterval: 250ms\nworkers: 1\n`);
    const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results'), '--quiet'], dir);
    assert.equal(code, 0, stderr);
    const runDir = onlyRunDir(join(dir, 'results'));
    const [row] = readCsv(join(runDir, 'summary.csv'));
    const counted = readJson<RunDocument>(join(runDir, 'run.json')).steps[0]!.targetCounted!;
    assert.ok(cellNumber(row, 'bytes_sent') > 1000, `bytes sent ${row!.bytes_sent}`);
    assert.equal(cellNumber(row, 'bytes_sent'), counted.bytesReceived);
  });
}
