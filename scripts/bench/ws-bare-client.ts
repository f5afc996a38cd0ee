// Child process: the bare `ws` client loop sockcap's WebSocket driver is measured against.
// Each connection sends the next 32-byte text message when the echo of the last one
// arrives, and records nothing but a count. Compression off, as in sockcap. After all
// connections are open and a warm-up has passed, process.cpuUsage() is read around the
// measured window. Prints one JSON line: { messages, durationS, cpuMs, errors }.
// Usage: node ws-bare-client.js '{"url":"ws://127.0.0.1:8080/","connections":100,"durationMs":10000,"warmupMs":1000,"messageSize":32}'
import WebSocket from 'ws';

export interface BareClientInput {
  url: string;
  connections: number;
  durationMs: number;
  warmupMs: number;
  messageSize: number;
}

export interface BareClientOutput {
  messages: number;
  durationS: number;
  cpuMs: number;
  errors: number;
}

const input = JSON.parse(process.argv[2] ?? '') as BareClientInput;
const payload = 'a'.repeat(input.messageSize);
let messages = 0;
let errors = 0;
let sending = true;

function openConnection(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(input.url, { perMessageDeflate: false });
    ws.on('error', (error) => {
      errors++;
      reject(error);
    });
    ws.on('message', () => {
      messages++;
      if (sending) ws.send(payload);
    });
    ws.once('open', () => resolve(ws));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const sockets = await Promise.all(Array.from({ length: input.connections }, openConnection));
for (const ws of sockets) ws.send(payload);
await sleep(input.warmupMs);

messages = 0;
const before = process.cpuUsage();
const startedAt = performance.now();
await sleep(input.durationMs);
const used = process.cpuUsage(before);
const durationS = (performance.now() - startedAt) / 1000;
const output: BareClientOutput = { messages, durationS, cpuMs: (used.user + used.system) / 1000, errors };

sending = false;
for (const ws of sockets) ws.terminate();
console.log(JSON.stringify(output));
