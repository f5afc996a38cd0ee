// A chat-like WebSocket service of the kind users load with sessions, to test them against:
// a client must authenticate first (`{type: auth, token}`; a bad token gets an error and
// close 4401), may subscribe to a room (`{type: subscribe, room}` → `subscribed`, then
// pushed `{type: msg, seq, ts}` events), asks sums (`{id, op: add, a, b}`) answered by
// `{id, result}` after a delay, with unrelated notices sent in between, and a room's history
// (`{id, op: history}`) answered by `{id, items}` after another delay, and a watch
// (`{id, op: watch}`) answered twice, `{id, part: 1}` then `{id, part: 2}`. Behaviours to test
// failures: wrong answers, no answers, closing after N requests, and a fixed subprotocol.
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { closerFor, listenOn } from './listen.js';

export interface ChatOptions {
  /** Tokens that authenticate; any other is refused with close 4401. */
  tokens: readonly string[];
  /** How long a sum takes to answer, ms. */
  replyDelayMs?: number;
  /** How long a history takes to answer, ms. */
  historyDelayMs?: number;
  /** Unrelated notices sent before each answer. */
  noise?: number;
  /** 'wrong': answers a+b+1; 'silent': never answers a sum. */
  answers?: 'right' | 'wrong' | 'silent';
  /** Close with 4003 after this many sums on a connection; 0: never. */
  closeAfter?: number;
  /** Push one event to each subscriber this often, ms; 0: never. */
  pushEveryMs?: number;
  /** The subprotocol to answer whatever is offered; undefined: the first one offered. */
  subprotocol?: string;
  /** Port on 127.0.0.1; undefined: a free one. */
  port?: number;
}

export interface ChatServer {
  url: string;
  counts: { upgrades: number; authOk: number; authBad: number; sums: number; histories: number; pushed: number };
  /** Authorization and cookie headers and subprotocol of each upgrade, and the tokens that authenticated, in order. */
  upgrades: { authorization: string | undefined; cookie: string | undefined; protocol: string }[];
  tokensSeen: string[];
  close(): Promise<void>;
}

export async function startChatServer(options: ChatOptions): Promise<ChatServer> {
  const counts = { upgrades: 0, authOk: 0, authBad: 0, sums: 0, histories: 0, pushed: 0 };
  const upgrades: ChatServer['upgrades'] = [];
  const tokensSeen: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({
    server,
    perMessageDeflate: false,
    handleProtocols: (offered) => options.subprotocol ?? [...offered][0] ?? false,
  });
  wss.on('connection', (ws, request) => {
    counts.upgrades++;
    upgrades.push({ authorization: request.headers.authorization, cookie: request.headers.cookie, protocol: ws.protocol });
    ws.on('error', () => {});
    let authed = false;
    let sums = 0;
    let pushTimer: NodeJS.Timeout | undefined;
    ws.on('close', () => clearInterval(pushTimer));
    ws.on('message', (data: Buffer) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        message = {};
      }
      if (!authed) {
        if (message.type === 'auth' && options.tokens.includes(String(message.token))) {
          authed = true;
          counts.authOk++;
          tokensSeen.push(String(message.token));
          send(ws, { type: 'auth_ok', user: `u-${String(message.token)}` });
        } else {
          counts.authBad++;
          send(ws, { type: 'error', reason: 'authenticate first' });
          ws.close(4401, 'unauthorized');
        }
        return;
      }
      if (message.type === 'subscribe') {
        send(ws, { type: 'subscribed', room: message.room });
        let seq = 0;
        if (options.pushEveryMs) {
          pushTimer = setInterval(() => {
            counts.pushed++;
            send(ws, { type: 'msg', room: message.room, seq: ++seq, ts: Date.now() });
          }, options.pushEveryMs);
        }
        return;
      }
      if (message.op === 'add') {
        counts.sums++;
        sums++;
        if (options.closeAfter && sums > options.closeAfter) {
          ws.close(4003, 'enough');
          return;
        }
        for (let i = 0; i < (options.noise ?? 0); i++) send(ws, { type: 'notice', text: `unrelated ${i}` });
        if (options.answers === 'silent') return;
        const result = Number(message.a) + Number(message.b) + (options.answers === 'wrong' ? 1 : 0);
        setTimeout(() => send(ws, { id: message.id, result }), options.replyDelayMs ?? 0);
        return;
      }
      if (message.op === 'history') {
        counts.histories++;
        setTimeout(() => send(ws, { id: message.id, items: ['hello', 'hi'] }), options.historyDelayMs ?? 0);
        return;
      }
      if (message.op === 'watch') {
        send(ws, { id: message.id, part: 1 });
        setTimeout(() => send(ws, { id: message.id, part: 2 }), options.replyDelayMs ?? 0);
        return;
      }
      send(ws, { type: 'error', reason: 'unknown message' });
      ws.close(4003, 'unknown message');
    });
  });
  const closeServer = closerFor(server);
  const port = await listenOn(server, options.port);
  return {
    url: `ws://127.0.0.1:${port}`,
    counts,
    upgrades,
    tokensSeen,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await closeServer();
    },
  };
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
