// --otlp against a real run and a real OTLP/HTTP receiver (a node:http server in the test)
// that decodes every push: pushes arrive while the run goes, and the last one carries the
// run's own final figures (summary.csv). A receiver that is down costs one warning, not the run.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { cellNumber, onlyRunDir, readCsv, runCli, testDir, writeScenario } from './helpers/cli.js';
import { liveInstruments } from '../src/outputs/live/instruments.js';

// The OTLP JSON encoding (opentelemetry-proto's JSON mapping), as much of it as the test reads.
interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number };
}
interface DataPoint {
  attributes?: KeyValue[];
  asDouble?: number;
  asInt?: string | number;
}
interface Metric {
  name: string;
  unit?: string;
  sum?: { dataPoints: DataPoint[]; aggregationTemporality: number; isMonotonic: boolean };
  gauge?: { dataPoints: DataPoint[] };
}
interface Push {
  path: string;
  headers: IncomingHttpHeaders;
  body: { resourceMetrics: { resource: { attributes: KeyValue[] }; scopeMetrics: { scope: { name: string }; metrics: Metric[] }[] }[] };
}

async function startReceiver(): Promise<{ url: string; pushes: Push[]; close(): Promise<void> }> {
  const pushes: Push[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      pushes.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(text) as Push['body'] });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const metricsOf = (push: Push): Metric[] => push.body.resourceMetrics.flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
const attributes = (list: KeyValue[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).map((entry) => [entry.key, String(entry.value.stringValue ?? entry.value.intValue ?? entry.value.doubleValue)]));

/** The sum of the points of `name` whose attributes include `match`; undefined when none was pushed. */
function pushed(push: Push, name: string, match: Record<string, string> = {}): number | undefined {
  const metric = metricsOf(push).find((candidate) => candidate.name === name);
  const points = (metric?.sum ?? metric?.gauge)?.dataPoints.filter((point) =>
    Object.entries(match).every(([key, value]) => attributes(point.attributes)[key] === value),
  );
  if (!points || points.length === 0) return undefined;
  return points.reduce((sum, point) => sum + Number(point.asDouble ?? point.asInt), 0);
}

const scenario = `name: live-otlp\nprotocol: http\nconnections: 4\nduration: 2s\nwarmup: 500ms\ninterval: 250ms\nworkers: 1\n`;

test('--otlp pushes every interval while the run goes, and the last push carries the final figures of summary.csv', async (t) => {
  const dir = testDir(t);
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const file = writeScenario(dir, 'otlp.yaml', scenario);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results'), '--otlp', receiver.url], dir);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /could not push/);

  const { pushes } = receiver;
  assert.ok(pushes.length >= 4, `${pushes.length} pushes for a 2.5 s step in 250 ms intervals`);
  for (const push of pushes) {
    assert.equal(push.path, '/v1/metrics', 'a bare receiver URL gets the OTLP metrics path');
    assert.match(push.headers['content-type'] ?? '', /^application\/json/);
  }
  const runDir = onlyRunDir(join(dir, 'results'));
  const resource = attributes(pushes[0]!.body.resourceMetrics[0]!.resource.attributes);
  assert.equal(resource['service.name'], 'sockcap');
  assert.equal(resource['sockcap.run_id'], basename(runDir));

  // While the run went: pushes before the end, with requests growing.
  const during = pushes.filter((push) => pushed(push, 'sockcap.run.finished') === 0 && (pushed(push, 'sockcap.requests', { phase: 'measure' }) ?? 0) > 0);
  assert.ok(during.length >= 2, `${during.length} pushes while measuring`);
  assert.ok(pushed(during[0]!, 'sockcap.requests')! < pushed(during.at(-1)!, 'sockcap.requests')!, 'requests grew from push to push');

  const final = pushes.at(-1)!;
  assert.equal(pushed(final, 'sockcap.run.finished'), 1);
  const [row] = readCsv(join(runDir, 'summary.csv'));
  const step = row!.step!;
  assert.equal(pushed(final, 'sockcap.requests', { step, phase: 'measure' }), cellNumber(row, 'requests'));
  assert.equal(pushed(final, 'sockcap.connections.opened', { step }), cellNumber(row, 'new_connections'));
  assert.equal(pushed(final, 'sockcap.errors', { step, phase: 'measure' }) ?? 0, cellNumber(row, 'errors'));
  for (const [quantile, column] of [
    ['0.5', 'latency_p50_ms'],
    ['0.99', 'latency_p99_ms'],
  ] as const) {
    const seconds = pushed(final, 'sockcap.latency', { step, quantile });
    assert.ok(seconds !== undefined, `sockcap.latency ${quantile} pushed`);
    assert.equal(Math.round(seconds * 1e6) / 1000, cellNumber(row, column), column);
  }
  // The built-in target's process is sampled: its figures are pushed.
  assert.ok(pushed(final, 'sockcap.server.resident_memory', { step })! > 1024 * 1024, 'target RSS');
  assert.ok(pushed(final, 'sockcap.server.cpu', { step })! > 0, 'target CPU time');

  const metrics = metricsOf(final);
  const requests = metrics.find((metric) => metric.name === 'sockcap.requests')!;
  assert.equal(requests.sum?.isMonotonic, true);
  assert.equal(requests.sum?.aggregationTemporality, 2, 'cumulative');
  assert.equal(metrics.find((metric) => metric.name === 'sockcap.latency')?.unit, 's');
  assert.equal(metrics.find((metric) => metric.name === 'sockcap.client.resident_memory')?.unit, 'By');
});

test('--otlp to a receiver that is down: one warning, the run completes; --otlp not-a-url: one line, exit 2', async (t) => {
  const dir = testDir(t);
  const receiver = await startReceiver();
  await receiver.close();
  const file = writeScenario(dir, 'otlp.yaml', scenario.replace('duration: 2s', 'duration: 1s'));
  const down = await runCli(['run', file, '--out', join(dir, 'results'), '--otlp', `${receiver.url}/v1/metrics`], dir);
  assert.equal(down.code, 0, down.stderr);
  const warnings = down.stderr.split('\n').filter((line) => line.includes('could not push'));
  assert.equal(warnings.length, 1, down.stderr);
  assert.match(warnings[0]!, new RegExp(`^sockcap: --otlp: could not push to ${receiver.url.replace(/\./g, '\\.')}/v1/metrics \\(`));
  assert.equal(readCsv(join(onlyRunDir(join(dir, 'results')), 'summary.csv')).length, 1);

  const bad = await runCli(['run', '--out', join(dir, 'bad'), '--otlp', 'not-a-url'], dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'sockcap: --otlp: expected the http:// or https:// URL of an OTLP/HTTP receiver, like http://127.0.0.1:4318, got "not-a-url"\n');
});

test("every instrument's Prometheus name is what Prometheus' OTLP translation makes of its OpenTelemetry name and unit", () => {
  const unitSuffix: Record<string, string> = { s: '_seconds', By: '_bytes', '1/s': '_per_second', '1': '_ratio', '': '' };
  const translated = liveInstruments.map((instrument) => {
    const suffix = instrument.unit.startsWith('{') ? '' : unitSuffix[instrument.unit];
    assert.ok(suffix !== undefined, `${instrument.otelName}: unit ${instrument.unit} has a Prometheus suffix`);
    return `${instrument.otelName.replace(/\./g, '_')}${suffix}${instrument.kind === 'counter' ? '_total' : ''}`;
  });
  assert.deepEqual(
    translated,
    liveInstruments.map((instrument) => instrument.promName),
  );
});
