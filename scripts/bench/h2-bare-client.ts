// Child process: the bare node:http2 client loop sockcap's HTTP/2 driver is measured against,
// the floor of any client built on node:http2. `connections` sessions each keep `streams`
// requests in flight (the next one starts when one closes), with one header object reused
// for every request, nothing recorded but a count. After a warm-up, process.cpuUsage() is read
// around the measured window. Prints one JSON line: { requests, durationS, cpuMs, errors }.
// Usage: node h2-bare-client.js '{"url":"http://127.0.0.1:8080/","connections":4,"streams":16,"durationMs":4000,"warmupMs":1000}'
import http2 from 'node:http2';
import { measureWindow } from './measured-window.js';

export interface H2BareInput {
  url: string;
  connections: number;
  streams: number;
  durationMs: number;
  warmupMs: number;
}

export interface H2BareOutput {
  requests: number;
  durationS: number;
  cpuMs: number;
  errors: number;
}

const input = JSON.parse(process.argv[2] ?? '') as H2BareInput;
const url = new URL(input.url);
const headers = { ':method': 'GET', ':path': url.pathname, ':scheme': 'http', ':authority': url.host };
let requests = 0;
let errors = 0;
let sending = true;

function ignore(): void {}

function next(session: http2.ClientHttp2Session): void {
  if (!sending) return;
  const stream = session.request(headers);
  stream.on('data', ignore);
  stream.on('error', ignore);
  stream.once('close', () => {
    if (stream.rstCode === http2.constants.NGHTTP2_NO_ERROR) requests++;
    else errors++;
    next(session);
  });
}

function openSession(): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(input.url);
    session.once('error', reject);
    // As sockcap does: no stream before the server's SETTINGS (its stream limit) arrived.
    session.once('remoteSettings', () => resolve(session));
  });
}

const sessions = await Promise.all(Array.from({ length: input.connections }, openSession));
for (const session of sessions) for (let i = 0; i < input.streams; i++) next(session);
const measured = await measureWindow(input, () => (requests = 0));
const output: H2BareOutput = { requests, ...measured, errors };

sending = false;
for (const session of sessions) session.destroy();
console.log(JSON.stringify(output));
