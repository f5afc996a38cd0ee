// `--dashboard [HOST:PORT]`: a web page that shows the run as it goes, on that one address
// (127.0.0.1 and a port the system chooses unless told). The page is report.html's frame and
// chart code; its "Over time" charts are report.html's own, built from the same timeseries
// rows, and are sent again over Server-Sent Events (/events) every time an interval closes.
// When the run ends the page links the final report.html, which this server then serves; it
// closes once every open page has fetched it (a few seconds at most), or at once if none is open.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse, type Server } from 'node:http';
import { join } from 'node:path';
import type { IntervalRow, Output, RunInfo, RunResult, StepResult } from '../results/run-result.js';
import { formatNumber } from './report/html.js';
import { liveScript } from './report/live-script.js';
import { renderPage } from './report/page.js';
import type { TimeseriesRecord } from '../results/stored-timeseries.js';
import { timelineOf, type TimelineStep } from './report/timeline-view.js';
import { timeseriesRecord } from './csv-files.js';
import { closeServer, listenOn, type ListenAddress } from './live/listen.js';

/** How long the server waits, after the run, for open pages to fetch report.html. */
const reportWaitMs = 3000;

interface Update {
  headline: string;
  html: string;
  charts: unknown[];
  intervals: number;
}

const textOf = (record: ReturnType<typeof timeseriesRecord>): TimeseriesRecord =>
  Object.fromEntries(Object.entries(record).map(([column, value]) => [column, String(value)]));

export class Dashboard implements Output {
  readonly url: string;
  private run: RunInfo | undefined;
  private readonly steps = new Map<string, TimelineStep>();
  private intervals = 0;
  private update: Update | undefined;
  private finished: { passed: boolean; headline: string; report: string; dir: string } | undefined;
  private readonly streams = new Set<ServerResponse>();
  private reportFetched: (() => void) | undefined;
  private pagesWaiting = 0;

  private constructor(
    private readonly server: Server,
    url: string,
  ) {
    this.url = `${url}/`;
  }

  /** Listens before the run starts, so a bad address stops it before any load. */
  static async start(address: ListenAddress): Promise<Dashboard> {
    let dashboard: Dashboard | undefined;
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (request.method !== 'GET' || !dashboard) response.writeHead(405).end();
      else if (path === '/') dashboard.page(response);
      else if (path === '/events') dashboard.events(response);
      else if (path === '/report.html') dashboard.report(response);
      // Browsers ask for an icon; there is none, and a 404 would be an error in the page's console.
      else if (path === '/favicon.ico') response.writeHead(204).end();
      else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
    dashboard = new Dashboard(server, await listenOn(server, address));
    return dashboard;
  }

  runStarted(run: RunInfo): void {
    this.run = run;
  }

  interval(row: IntervalRow): void {
    const run = this.run;
    if (!run) return;
    let step = this.steps.get(row.step.stepLabel);
    if (!step) {
      // Where the step starts on the run's axis: now, less the seconds it has run (its result, at its end, says it exactly).
      step = { step: row.step, offsetS: (Date.now() - row.elapsedS * 1000 - run.startedAt.getTime()) / 1000, records: [], errors: 0 };
      this.steps.set(row.step.stepLabel, step);
    }
    step.records.push(textOf(timeseriesRecord(run.runId, row)));
    if (row.phase === 'measure') step.errors += row.counters.errors;
    this.intervals++;
    const completed = row.intervalS > 0 ? (row.counters.requests + row.counters.messages) / row.intervalS : 0;
    const where = `${row.phase === 'warmup' ? 'warming up' : 'measuring'}, ${formatNumber(Math.min(row.elapsedS, row.stepDurationS))} s of ${formatNumber(row.stepDurationS)} s`;
    this.broadcastUpdate(`Running step ${row.step.stepLabel}: ${where}; ${formatNumber(completed)} completed per s, ${row.connectionsOpen} connections open`);
  }

  stepFinished(result: StepResult): void {
    const step = this.steps.get(result.step.stepLabel);
    if (step && this.run) {
      step.offsetS = (result.startedAt.getTime() - this.run.startedAt.getTime()) / 1000;
      step.errors = result.totals.errors;
    }
  }

  runFinished(run: RunResult): void {
    const reasons = run.verdict.reasons.length > 0 ? `: ${run.verdict.reasons.join('; ')}` : '';
    this.finished = {
      passed: run.verdict.passed,
      headline: `The run ${run.status === 'completed' ? 'finished' : `ended ${run.status}`}, ${run.verdict.passed ? 'passed' : `failed${reasons}`}`,
      report: '/report.html',
      dir: run.dir,
    };
    this.pagesWaiting = this.streams.size;
    if (this.update) this.broadcastUpdate(this.update.headline);
    this.send('finished', this.finished);
  }

  /** Waits (briefly) for open pages to fetch report.html, then stops listening. */
  async close(): Promise<void> {
    if (this.finished && this.pagesWaiting > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reportWaitMs);
        this.reportFetched = () => {
          if (this.pagesWaiting > 0) return;
          clearTimeout(timer);
          resolve();
        };
      });
    }
    // Event streams end with their last chunk, so a page still listening sees an ended stream, not a broken one.
    for (const stream of this.streams) stream.end();
    await closeServer(this.server);
  }

  private broadcastUpdate(headline: string): void {
    const timeline = timelineOf([...this.steps.values()]);
    this.update = { headline, html: timeline.html, charts: timeline.charts, intervals: this.intervals };
    this.send('update', this.update);
  }

  private send(event: string, data: unknown, to: Iterable<ServerResponse> = this.streams): void {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const stream of to) stream.write(text);
  }

  private page(response: ServerResponse): void {
    const run = this.run;
    const head = {
      title: `sockcap live: ${run?.scenario.base.name ?? 'starting'}`,
      state: 'running' as const,
      verdict: 'Waiting for the first interval',
      reasons: [],
      warnings: run?.warnings ?? [],
      facts: run
        ? ([
            ['run', run.runId],
            ['results', run.dir],
            ['started', run.startedAt.toISOString()],
          ] as [string, string][])
        : [],
    };
    const section = { id: 'time', title: 'Over time', html: '<div id="live-charts"><p class="note">No interval has closed yet.</p></div>', charts: [] };
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(renderPage(head, [section], liveScript));
  }

  private events(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // Sent at once, so the page knows it is connected before the first interval closes.
    response.write(': sockcap live\n\n');
    this.streams.add(response);
    response.on('close', () => this.streams.delete(response));
    // A page that opens mid-run gets the whole run so far at once.
    if (this.update) this.send('update', this.update, [response]);
    if (this.finished) this.send('finished', this.finished, [response]);
  }

  private report(response: ServerResponse): void {
    const file = this.run ? join(this.run.dir, 'report.html') : undefined;
    if (!file || !existsSync(file)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('report.html is written when the first step ends\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(readFileSync(file));
    if (this.finished) {
      this.pagesWaiting--;
      this.reportFetched?.();
    }
  }
}
