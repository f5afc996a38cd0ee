// A SocketOpener that counts the HTTP/1.1 connections it opens (`http_version` comes from
// these counts) and may start from a socket already open: `http.version: auto` opened it,
// ALPN picked HTTP/1.1, and the HTTP/1.1 driver carries on over it rather than paying a
// second handshake (the caller counted that one). Later sockets come from `next`.
import type { Socket } from 'node:net';
import type { Recorder } from '../metrics/recorder.js';
import type { SocketOpener } from './socket-opener.js';

export function countedOpener(next: SocketOpener, recorder: Recorder, handed?: Socket): SocketOpener {
  let first = handed;
  return {
    open(request) {
      const socket = first;
      first = undefined;
      if (socket) return { socket, readyEvent: 'secureConnect', ready: true };
      recorder.count('connectionsHttp1');
      return next.open(request);
    },
  };
}
