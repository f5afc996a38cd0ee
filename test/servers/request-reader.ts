// A minimal HTTP/1.1 request splitter for the node:net test servers, which need control
// over the socket that node:http would take away. Handles keep-alive and pipelined
// requests with Content-Length bodies; nothing else is needed by the tests.

import type { Socket } from 'node:net';

const headerEnd = Buffer.from('\r\n\r\n');

/** Calls `onRequest` once per complete request (head and body) read from `socket`. */
export function readRequests(socket: Socket, onRequest: (head: string) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const end = buffered.indexOf(headerEnd);
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      const total = end + headerEnd.length + length;
      if (buffered.length < total) return;
      buffered = buffered.subarray(total);
      onRequest(head);
      if (socket.destroyed) return;
    }
  });
}

/** A keep-alive 200 response with a two-byte body. */
export const okResponse = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';
