// report.html as a reader sees it, opened in headless Chromium at 1280 px after real runs:
// the verdict line first, the run's warnings (the same as run.json's), a view per kind of
// run, charts that read without hovering, no console error, nothing fetched. Screenshots
// go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { transportNames } from '../src/protocols/index.js';
import { transportColor } from '../src/outputs/report/transports-view.js';
import { version } from '../src/version.js';
import { onlyRunDir, readJson, runCli, startCli, tempDir, testDir, writeScenario } from './helpers/cli.js';
import { checkPage, readReport } from './helpers/report-page.js';
import { startDelayServer } from './servers/delay-server.js';
import { startResetServer } from './servers/reset-server.js';

async function runScenario(text: string, extra: string[] = []): Promise<{ dir: string; code: number | null; stderr: string }> {
  const dir = tempDir();
  const args = text === '' ? ['run'] : ['run', writeScenario(dir, 'scenario.yaml', text)];
  const { code, stderr } = await runCli([...args, '--out', join(dir, 'results'), '--quiet', ...extra], dir);
  return { dir: onlyRunDir(join(dir, 'results')), code, stderr };
}

test('quickstart: the verdict, the facts, the warnings of run.json, charts legible without hover at 1280 px', async () => {
  const { dir, code, stderr } = await runScenario('', ['-d', '1500ms', '-c', '10']);
  assert.equal(code, 0, stderr);
  const page = await readReport(join(dir, 'report.html'), 'quickstart');
  assert.deepEqual(checkPage(page), []);
  assert.match(
    page.verdict,
    /^PASSED( WITH WARNINGS)?: 2 steps with successful operations; no thresholds; error rate 0%; generator (not saturated|saturated in step .+)$/,
  );
  assert.match(page.facts.target!, /^built-in target \(http:\/\/127\.0\.0\.1:\d+ and 1 more, one per step\)$/);
  assert.equal(page.facts.scenario, 'quickstart — built-in quickstart');
  assert.equal(page.facts.sockcap, version);
  assert.match(page.facts.machine!, /\d+ cores, [\d.]+ GiB, linux .* node v\d+/);
  // The page lists exactly the warnings run.json records, a saturated generator among them.
  const { warnings } = readJson<{ warnings: string[] }>(join(dir, 'run.json'));
  assert.deepEqual(
    page.warnings,
    warnings.map((warning) => `warning: ${warning}`),
  );
  assert.equal(
    page.verdictClass.includes('warned'),
    warnings.some((warning) => warning.startsWith('generator saturated')),
  );

  assert.deepEqual(page.sections, ['Summary', 'Steps compared', 'Over time', 'Percentile distributions (measured part of each step)']);
  // Steps compared as bars: throughput, latency (p50, p99, p99.9), CPU and memory (both sides), error rate.
  const bars = page.charts.filter((chart) => chart.kind === 'bars');
  assert.deepEqual(
    bars.map((chart) => chart.series),
    [1, 3, 2, 2, 1],
  );
  // Over time: throughput, latency, connections, CPU, memory, errors; both sides where both were sampled.
  const time = page.data.filter((chart) => chart.id.startsWith('time-'));
  assert.deepEqual(
    time.map((chart) => chart.series.length),
    [1, 3, 1, 2, 2, 1],
  );
  for (const chart of time) {
    assert.deepEqual(
      chart.markers.map((marker) => marker.label),
      ['http-keepalive', 'websocket-echo'],
      `${chart.title}: every step start marked`,
    );
    assert.equal(chart.markers[0]!.x >= 0 && chart.markers[1]!.x > chart.markers[0]!.x, true);
    assert.deepEqual(
      chart.bands.map((band) => band.label),
      ['warm-up', 'warm-up'],
      `${chart.title}: each step's warm-up shaded`,
    );
  }
  const distributions = page.charts.filter((chart) => chart.title.endsWith('percentile distribution'));
  assert.deepEqual(
    distributions.slice(0, 2).map((chart) => chart.title),
    ['latency percentile distribution', 'rtt percentile distribution'],
  );
  assert.ok(!distributions.some((chart) => chart.title.startsWith('latency_reused')), 'latency on reused sockets is not drawn twice');
  const legend = page.charts.find((chart) => chart.title === 'Throughput')!.legend;
  assert.match(legend[0]!, /^completed per s: mean [\d,.]+\/s$/);
});

test('a run where every request failed says FAILED first, names the step and its errors, and draws no latency', async () => {
  const server = await startResetServer({ resetEvery: 1 });
  try {
    const { dir } = await runScenario(
      `name: all-reset\ntarget: ${server.url}\nprotocol: http\nconnections: 2\nworkers: 1\nduration: 1s\ninterval: 250ms\nthresholds: [latency.p99 < 1s]\n`,
    );
    const page = await readReport(join(dir, 'report.html'), 'failed-run');
    assert.deepEqual(checkPage(page), []);
    assert.match(page.verdict, /^FAILED: 1 step where nothing succeeded; 1 threshold failed of 1; error rate 100%/);
    assert.ok(page.verdictClass.includes('failed'));
    assert.ok(
      page.reasons.some((reason) =>
        /^step main: nothing succeeded: no answered request, message or opened connection, [\d,]+ errors \(ECONNRESET/.test(reason),
      ),
      page.reasons.join('\n'),
    );
    assert.ok(
      page.reasons.some((reason) => /^threshold latency\.p99 < 1s: no step measured it/.test(reason)),
      page.reasons.join('\n'),
    );
    assert.equal(page.facts.target, server.url);
    assert.equal(page.facts.scenario!.startsWith('all-reset — '), true);
    assert.ok(page.sections.includes('Thresholds') && page.sections.includes('Errors by code'));
    // Nothing answered: no latency chart, no distribution, "-" in the summary instead of 0 ms.
    const titles = page.data.map((chart) => chart.title);
    assert.ok(!titles.includes('latency per interval') && !titles.includes('latency percentile distribution'), titles.join(', '));
    assert.match(page.text, /main\s+http closed\s+2\s+0\/s\s+[\d,]+ \(100%\)\s+latency\s+-\s+-\s+-\s+-/);
  } finally {
    await server.close();
  }
});

test('a capacity ladder with --until-slo: memory per connection on each side with the fitted slope and its spread, the connect rate, the SLO line', async () => {
  const { dir, code, stderr } = await runScenario(
    `name: ladder\nprotocol: websocket\nworkload: hold\nconnectRate: 2000/s\nwarmup: 2s\nduration: 500ms\ninterval: 250ms\nworkers: 1\nsteps:\n  - { name: c100, connections: 100 }\n  - { name: c300, connections: 300 }\n  - { name: c600, connections: 600 }\n`,
    ['--until-slo', 'connections_peak < 400'],
  );
  assert.equal(code, 0, stderr);
  const page = await readReport(join(dir, 'report.html'), 'capacity-ladder');
  assert.deepEqual(checkPage(page), []);
  assert.match(page.verdict, /^PASSED.*; stopped early: SLO connections_peak < 400 broke at step c600 \(600 connections, \d+\); last good: 300 connections$/);
  assert.equal(page.sections[0], 'Capacity: what a connection costs');
  const memory = page.data.find((chart) => chart.id === 'capacity-memory')!;
  for (const side of ['client', 'server']) {
    const measured = memory.series.find((series) => series.label === `${side} per connection`)!;
    assert.equal(measured.values.length, 3);
    assert.match(measured.summary, /^fitted -?[\d.]+ ± [\d.]+ KiB per connection \(3 steps, r² -?[\d.]+\)$/);
    assert.ok(
      memory.series.some((series) => series.label === `${side} fitted slope`),
      `${side}: the fitted slope drawn`,
    );
  }
  const memoryChart = page.charts.find((chart) => chart.title === 'Memory per connection against connections')!;
  assert.equal(memoryChart.legend.length, memory.series.length);
  assert.equal(page.data.find((chart) => chart.id === 'capacity-rate')!.series.length, 1);
  const slo = page.data.find((chart) => chart.id === 'capacity-slo')!;
  assert.deepEqual(slo.levels, [{ y: 400, label: 'SLO: connections_peak < 400' }]);
  // Connections held, as the machine managed to open them: all of the first two, at least 400 of the last.
  const held = slo.series[0]!.values;
  assert.deepEqual(held.slice(0, 2), [100, 300]);
  assert.ok(held[2]! >= 400, `c600 held ${held[2]}`);
  assert.equal(slo.series[0]!.summary, `broken at step c600 (${held[2]!} connections); last kept: 300`);
  assert.match(page.text, new RegExp(`c600\\s+${held[2]!}\\s+0\\s.*${held[2]!} \\(broken\\)`));
});

test('a keep-alive sweep: heatmaps of reuse, new connections per 1,000 requests, p99 and race errors over both varied timeouts', async (t) => {
  const dir = testDir(t);
  const file = writeScenario(
    dir,
    'sweep.yaml',
    `name: ka-sweep\nprotocol: http\nconnections: 3\nduration: 1s\nwarmup: 0s\ninterval: 500ms\nworkers: 1\nthinkTime: 400ms\nhttp:\n  honourServerHint: false\n`,
  );
  const { code, stderr } = await runCli(
    ['sweep', file, '--vary', 'server.keepAliveTimeout=200ms,5s', '--vary', 'http.keepAliveTimeout=100ms,10s', '--out', join(dir, 'results'), '--quiet'],
    dir,
  );
  assert.equal(code, 0, stderr);
  const page = await readReport(join(onlyRunDir(join(dir, 'results')), 'report.html'), 'keepalive-sweep');
  assert.deepEqual(checkPage(page), []);
  assert.equal(page.sections[0], 'Sweep over server.keepAliveTimeout × http.keepAliveTimeout');
  const maps = page.charts.filter((chart) => chart.kind === 'heatmap');
  assert.deepEqual(
    maps.map((map) => map.title),
    [
      'Requests on reused sockets',
      'New connections per 1,000 requests',
      "p99 of each step's main latency",
      'Keep-alive race errors (request sent on a socket the server was closing)',
    ],
  );
  // Rows: the server's timeout; columns: the client's. A client that drops idle sockets after 100 ms
  // (think time 400 ms) never reuses one; one that keeps them 10 s against a server keeping them 5 s does.
  const [reuse, fresh] = maps;
  assert.equal(reuse!.cells.length, 4);
  assert.equal(reuse!.cells[0], '0%');
  assert.equal(reuse!.cells[2], '0%');
  assert.ok(Number.parseFloat(reuse!.cells[3]!) > 0, reuse!.cells.join(' '));
  assert.equal(fresh!.cells[0], '1,000');
  // A blank cell would read as 0 here: it must hold a measured figure.
  assert.match(fresh!.cells[3]!, /^\d[\d,]*(\.\d+)?$/, fresh!.cells.join(' '));
  assert.ok(Number(fresh!.cells[3]!.replace(/,/g, '')) < 1000, fresh!.cells.join(' '));
});

test('transports: delivery latency distributions overlaid and the cost per event side by side, one colour per transport', async () => {
  const { dir, code, stderr } = await runScenario(
    `name: transports\nconnections: 6\nduration: 1500ms\nwarmup: 500ms\ninterval: 500ms\nworkers: 1\nserver:\n  eventRate: 10/s\n  longPollTimeout: 5s\npoll:\n  interval: 200ms\nlongPoll:\n  timeout: 6s\nsteps:\n  - { name: poll, protocol: poll }\n  - { name: long-poll, protocol: long-poll }\n  - { name: sse, protocol: sse }\n  - { name: websocket, protocol: websocket, websocket: { mode: subscribe } }\n`,
  );
  assert.equal(code, 0, stderr);
  const page = await readReport(join(dir, 'report.html'), 'transports');
  assert.deepEqual(checkPage(page), []);
  assert.equal(page.sections[0], 'Transports compared: delivery latency and cost per event');
  const delivery = page.data.find((chart) => chart.id === 'transports-delivery')!;
  assert.deepEqual(
    delivery.series.map((series) => series.label),
    ['poll', 'long-poll', 'sse', 'websocket'],
  );
  const colors = delivery.series.map((series) => series.color);
  assert.equal(new Set(colors).size, 4, 'a colour per transport');
  const costs = page.charts.filter((chart) => chart.kind === 'bars' && chart.title.includes('per delivered event'));
  assert.ok(costs.length >= 3, costs.map((chart) => chart.title).join(', '));
  const rgb = (hex: string): string => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
  for (const chart of costs) {
    assert.equal(chart.series, 4);
    assert.deepEqual(
      chart.colors,
      colors.map((color) => rgb(color!)),
      `${chart.title}: the same colour per transport`,
    );
    assert.match(chart.cells.join(' | '), /^poll: .+ \| long-poll: .+ \| sse: .+ \| websocket: .+$/);
  }
  // WebSocket subscribe makes no request per event; polling makes at least one per response.
  const requests = page.charts.find((chart) => chart.title === 'Requests per delivered event')!;
  assert.equal(requests.cells[3], 'websocket: 0');

  // Another run, other transports: SSE keeps its colour, Socket.IO has its own.
  const other = await runScenario(
    `name: transports-2\nconnections: 2\nduration: 1s\ninterval: 500ms\nworkers: 1\nserver:\n  eventRate: 10/s\nsteps:\n  - { name: socketio, protocol: socketio, socketio: { mode: subscribe, transports: [websocket] } }\n  - { name: sse, protocol: sse }\n`,
  );
  assert.equal(other.code, 0, other.stderr);
  const second = (await readReport(join(other.dir, 'report.html'), 'transports')).data.find((chart) => chart.id === 'transports-delivery')!;
  const colorOf = new Map(second.series.map((series) => [series.label, series.color]));
  assert.equal(colorOf.get('sse'), colors[2], 'SSE in the same colour in both runs');
  assert.equal(colorOf.get('socketio (socketio-websocket)'), transportColor('socketio-websocket'));
  assert.ok(!colors.includes(colorOf.get('socketio (socketio-websocket)')), 'Socket.IO in a colour of its own');
});

test('one colour table: every transport a protocol declares has its own colour, grey left for none', () => {
  assert.ok(transportNames.length >= 8, transportNames.join(', '));
  const colors = transportNames.map((name) => transportColor(name));
  assert.ok(
    colors.every((color) => color !== undefined && color !== '#4b5563'),
    colors.join(', '),
  );
  assert.equal(new Set(colors).size, transportNames.length, 'no two transports share a colour');
  assert.equal(transportColor('sse'), transportColor('sse'));
});

test("sockcap compare writes compare.html: the regression verdict first, both runs' distributions overlaid per metric, each change with its allowance and noise", async () => {
  const server = await startDelayServer(2);
  try {
    const scenario = `name: cmp\ntarget: ${server.url}\nprotocol: http\nconnections: 4\nworkers: 1\nduration: 1s\ninterval: 500ms\n`;
    const baseline = await runScenario(scenario);
    // The same target answering 58 ms later: a regression of latency far beyond any allowance.
    server.delayMs = 60;
    const current = await runScenario(scenario);
    const out = tempDir();
    const { code, stderr } = await runCli(['compare', baseline.dir, current.dir, '--csv', join(out, 'compare.csv')], out);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /compare\.html: .*compare\.html/);
    const page = await readReport(join(out, 'compare.html'), 'compare');
    assert.deepEqual(checkPage(page), []);
    assert.match(
      page.verdict,
      /^REGRESSION: \d+ of \d+ metrics gated in 1 step; [1-9]\d* regressions?; \d+ within noise; \d+ improvements?; noise measured from the runs' own intervals$/,
    );
    assert.ok(
      page.reasons.some((reason) => /^step main: throughput_per_s -\d+(\.\d)?% \(.+ → .+\), allowed -10%, noise ±\d+(\.\d+)?%$/.test(reason)),
      page.reasons.join('\n'),
    );
    assert.equal(page.facts.current, current.dir);
    assert.deepEqual(page.sections, ['Step main']);
    const latency = page.data.find((chart) => chart.title === 'latency percentile distribution')!;
    assert.deepEqual(
      latency.series.map((series) => series.label),
      ['baseline', 'current'],
    );
    // Every chart overlays the two runs.
    assert.ok(page.data.every((chart) => chart.series.length === 2));
    assert.match(page.text, /throughput_per_s\s+\S+\s+\S+\s+-\d+(\.\d)?%\s+-10%\s+±\d+(\.\d+)?%\s+regression/);
  } finally {
    await server.close();
  }
});

test('an interrupted run says so in its verdict', async () => {
  const dir = tempDir();
  const file = writeScenario(dir, 'long.yaml', `name: long\nprotocol: http\nconnections: 2\nworkers: 1\nduration: 30s\ninterval: 250ms\n`);
  const { child, result } = startCli(['run', file, '--out', join(dir, 'results')], dir);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  while (!/step 1\/1 main/.test(stderr)) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  child.kill('SIGINT');
  await result;
  const page = await readReport(join(onlyRunDir(join(dir, 'results')), 'report.html'), 'interrupted-run');
  assert.deepEqual(checkPage(page), []);
  assert.match(page.verdict, /^FAILED: .*; interrupted$/);
  assert.ok(
    page.reasons.some((reason) => /interrupted: stopped by signal/.test(reason)),
    page.reasons.join('\n'),
  );
});
