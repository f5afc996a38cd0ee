// A SocketOpener for HTTP spoken through undici (scripted sessions) at the scenario's
// `http.version`: over TLS it offers h2 by ALPN (`2`: h2 only, `auto`: h2 or http/1.1) and
// undici speaks what the server picked; on a plain socket `2` is h2c by prior knowledge,
// which undici speaks when the socket says `h2` (as its own `useH2c` connector marks it).
// Each connection is counted by the version it got, which `http_version` is made of.
import type { TLSSocket } from 'node:tls';
import type { Recorder } from '../metrics/recorder.js';
import type { HttpVersion } from '../scenario/protocol-settings.js';
import { socketOpener, type SocketOpener } from './socket-opener.js';
import type { ClientTls } from './tls-options.js';

const alpn: Record<HttpVersion, string[]> = { '1.1': ['http/1.1'], '2': ['h2'], auto: ['h2', 'http/1.1'] };

export function versionOpener(recorder: Recorder, tls: ClientTls | undefined, version: HttpVersion): SocketOpener {
  const next = socketOpener(recorder, tls && { ...tls, options: { ...tls.options, ALPNProtocols: alpn[version] } });
  return {
    open(request) {
      const opened = next.open(request);
      const socket = opened.socket as TLSSocket;
      socket.once(opened.readyEvent, () => {
        if (!tls && version === '2') socket.alpnProtocol = 'h2';
        recorder.count(socket.alpnProtocol === 'h2' ? 'connectionsHttp2' : 'connectionsHttp1');
      });
      return opened;
    },
  };
}
