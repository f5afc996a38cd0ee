// A Node service that exports its process metrics the way most do: prom-client's default
// metrics on /metrics. `node dist/test/servers/prom-client-server.js [port] [host]` answers
// `/` after hashing 64 KiB (so serving costs CPU), and for the scrape tests /prefixed (the
// same metrics named myapp_process_...), /hang (never answers), /garbage (an HTML page) and
// /slow-first (/metrics, its first answer 1 s late, as from a busy host).
// Prints `prom-client target on http://host:port` once it listens.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

const plain = new Registry();
collectDefaultMetrics({ register: plain });
const prefixed = new Registry();
collectDefaultMetrics({ register: prefixed, prefix: 'myapp_' });

const work = Buffer.alloc(64 * 1024, 7);
const hung = new Set<http.ServerResponse>();
let slowFirstAsked = false;

async function metricsOf(registry: Registry, res: http.ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': registry.contentType });
  res.end(await registry.metrics());
}

const server = http.createServer((req, res) => {
  req.resume();
  if (req.url === '/metrics') return void metricsOf(plain, res);
  if (req.url === '/prefixed') return void metricsOf(prefixed, res);
  if (req.url === '/slow-first') {
    const delayMs = slowFirstAsked ? 0 : 1000;
    slowFirstAsked = true;
    setTimeout(() => void metricsOf(plain, res), delayMs);
    return;
  }
  if (req.url === '/hang') {
    hung.add(res);
    res.once('close', () => hung.delete(res));
    return;
  }
  if (req.url === '/garbage') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body><h1>Welcome</h1> process_cpu_seconds_total is not here</body></html>\n');
    return;
  }
  res.end(createHash('sha256').update(work).digest('hex'));
});

const port = Number(process.argv[2] ?? 0);
const host = process.argv[3] ?? '127.0.0.1';
server.listen(port, host, () => {
  const address = server.address() as net.AddressInfo;
  console.log(`prom-client target on http://${host}:${address.port}`);
});
const stop = (): void => {
  for (const res of hung) res.destroy();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
