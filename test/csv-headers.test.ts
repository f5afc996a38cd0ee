// The header of every CSV file sockcap writes, pinned: a column, once released, keeps its name
// (docs/results.md). New columns may be added; a column renamed or removed fails here, and
// must instead be listed as a breaking change in CHANGELOG.md with this list updated. The
// files a short real run and `sockcap compare` write are read back too, so the pinned names
// are the ones in the files, not only in the code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { summaryColumns } from '../src/metrics/summary-columns.js';
import { errorColumns, latencyColumns, timeseriesColumns } from '../src/outputs/csv-files.js';
import { capacityCsvColumns, capacityFitColumns } from '../src/outputs/capacity-csv.js';
import { cometCompareColumns } from '../src/outputs/comet-compare.js';
import { compareColumns } from '../src/outputs/compare-csv.js';
import { thresholdColumns } from '../src/outputs/thresholds-csv.js';
import { sweepColumns } from '../src/sweep/sweep-csv.js';
import { onlyRunDir, runCli, testDir, writeScenario } from './helpers/cli.js';

const released: Record<string, readonly string[]> = {
  'summary.csv': [
    'run_id',
    'scenario',
    'step',
    'protocol',
    'workload',
    'target',
    'started_at',
    'duration_s',
    'connections',
    'requests',
    'messages',
    'throughput_per_s',
    'errors',
    'error_rate',
    'dropped',
    'latency_metric',
    'latency_p50_ms',
    'latency_p90_ms',
    'latency_p99_ms',
    'latency_p999_ms',
    'latency_max_ms',
    'latency_mean_ms',
    'service_time_p50_ms',
    'service_time_p90_ms',
    'service_time_p99_ms',
    'connect_p50_ms',
    'connect_p99_ms',
    'handshake_p50_ms',
    'handshake_p99_ms',
    'tls_handshake_p50_ms',
    'tls_handshake_p99_ms',
    'new_connections',
    'connections_peak',
    'connections_failed',
    'bytes_sent',
    'bytes_received',
    'client_cpu_pct',
    'client_rss_mib',
    'server_cpu_pct',
    'server_rss_mib',
    'loop_delay_p99_ms',
    'generator_saturated',
    'saturation_cause',
    'events',
    'delivery_p50_ms',
    'delivery_p99_ms',
    'delivery_max_ms',
    'lost',
    'duplicated',
    'reordered',
    'empty_responses',
    'client_kib_per_conn',
    'server_kib_per_conn',
    'kernel_kib_per_conn',
    'server_cpu_ms_per_conn',
    'connect_rate_per_s',
    'reconnects',
    'reconnect_attempts',
    'reconnect_p50_ms',
    'reconnect_p99_ms',
    'reconnect_max_ms',
    'generator_processes',
    'target_processes',
  ],
  'timeseries.csv': [
    'run_id',
    'step',
    'phase',
    'elapsed_s',
    'interval_s',
    'connections_open',
    'requests',
    'messages',
    'throughput_per_s',
    'errors',
    'dropped',
    'new_connections',
    'latency_p50_ms',
    'latency_p99_ms',
    'latency_max_ms',
    'schedule_lag_p99_ms',
    'bytes_sent',
    'bytes_received',
    'client_cpu_pct',
    'client_rss_mib',
    'server_cpu_pct',
    'server_rss_mib',
    'loop_delay_p99_ms',
    'generator_saturated',
    'server_open_fds',
    'clients_held',
  ],
  'latency.csv': ['step', 'metric', 'percentile', 'value_ms', 'count'],
  'errors.csv': ['step', 'code', 'count'],
  'thresholds.csv': ['step', 'threshold', 'metric', 'operator', 'limit', 'value', 'unit', 'verdict', 'abort_on_fail', 'detail'],
  'compare.csv (sockcap compare)': [
    'step',
    'metric',
    'unit',
    'baseline',
    'current',
    'change',
    'change_pct',
    'allowance',
    'noise',
    'verdict',
    'baseline_runs',
    'note',
  ],
  'compare.csv (receive-driven steps)': [
    'step',
    'transport',
    'clients',
    'event_rate_per_s',
    'events_delivered',
    'delivery_p50_ms',
    'delivery_p99_ms',
    'delivery_max_ms',
    'requests_per_event',
    'wire_bytes_per_event',
    'header_bytes_per_event',
    'empty_response_pct',
    'server_cpu_ms_per_1k_events',
    'server_rss_mib',
    'lost',
    'duplicated',
    'reordered',
    'errors',
  ],
  'capacity.csv': [
    'step',
    'workload',
    'protocol',
    'connections',
    'connections_held',
    'clients_held',
    'connections_failed',
    'client_kib_per_conn',
    'server_kib_per_conn',
    'kernel_kib_per_conn',
    'server_cpu_ms_per_conn',
    'connect_rate_per_s',
    'connect_p99_ms',
    'handshake_p99_ms',
    'slo',
  ],
  'capacity-fit.csv': ['quantity', 'unit', 'slope', 'slope_stderr', 'intercept', 'r2', 'steps'],
  'sweep.csv (besides the summary columns)': [
    'step_index',
    'server_keepalive_timeout_ms',
    'server_timeout_source',
    'client_keepalive_timeout_ms',
    'honour_server_hint',
    'client_idle_timeout_ms',
    'client_minus_server_ms',
    'think_time_mean_ms',
    'requests_on_reused_sockets',
    'requests_on_fresh_sockets',
    'new_conns_per_1k_requests',
    'reuse_pct',
    'keepalive_race_errors',
    'race_error_pct',
    'race_idle_p50_ms',
    'race_idle_max_ms',
    'latency_reused_p50_ms',
    'latency_reused_p99_ms',
    'latency_fresh_p50_ms',
    'latency_fresh_p99_ms',
    'peak_server_sockets',
    'idle_server_sockets',
    'idle_server_sockets_peak',
    'rejected_connections',
    'newcomers',
    'newcomers_served',
    'newcomers_refused',
    'newcomers_timed_out',
    'newcomers_turned_away_pct',
    'latency_newcomer_p50_ms',
    'latency_newcomer_p99_ms',
  ],
};

const sweepOwn = sweepColumns({ dimensions: [], combos: [], serverTimeout: undefined }).filter(
  (column) => !(summaryColumns as readonly string[]).includes(column),
);
const current: Record<string, readonly string[]> = {
  'summary.csv': summaryColumns,
  'timeseries.csv': timeseriesColumns,
  'latency.csv': latencyColumns,
  'errors.csv': errorColumns,
  'thresholds.csv': thresholdColumns,
  'compare.csv (sockcap compare)': compareColumns,
  'compare.csv (receive-driven steps)': cometCompareColumns,
  'capacity.csv': capacityCsvColumns,
  'capacity-fit.csv': capacityFitColumns,
  'sweep.csv (besides the summary columns)': sweepOwn,
};

describe('every released CSV column keeps its name', () => {
  it('every file is pinned', () => assert.deepEqual(Object.keys(current).sort(), Object.keys(released).sort()));
  for (const [file, columns] of Object.entries(released)) {
    it(file, () => {
      const missing = columns.filter((column) => !current[file]!.includes(column));
      assert.deepEqual(missing, [], `${file} lost released columns: keep their names (add new columns instead)`);
    });
  }
});

const header = (file: string): string[] => readFileSync(file, 'utf8').split('\n')[0]!.split(',');

it('the files a run and sockcap compare write carry exactly these headers', { timeout: 60_000 }, async (t) => {
  const dir = testDir(t);
  const scenario = writeScenario(
    dir,
    'headers.yaml',
    'name: headers\nprotocol: http\nconnections: 2\nworkers: 1\nduration: 1s\nwarmup: 0\ninterval: 500ms\nthresholds: ["latency.p99 < 10s"]\n',
  );
  const ran = await runCli(['run', scenario, '--quiet', '--out', join(dir, 'results')], dir);
  assert.equal(ran.code, 0, ran.stderr);
  const runDir = onlyRunDir(join(dir, 'results'));
  for (const [file, columns] of [
    ['summary.csv', summaryColumns],
    ['timeseries.csv', timeseriesColumns],
    ['latency.csv', latencyColumns],
    ['errors.csv', errorColumns],
    ['thresholds.csv', thresholdColumns],
  ] as const) {
    assert.deepEqual(header(join(runDir, file)), [...columns], file);
  }
  const compared = await runCli(['compare', runDir, runDir, '--csv', join(dir, 'compare.csv')], dir);
  assert.equal(compared.code, 0, compared.stderr);
  assert.deepEqual(header(join(dir, 'compare.csv')), [...compareColumns]);
});

// Number() of a CSV cell reads a blank "not measured" cell as 0, so `assert.equal(…, 0)` or a
// `>= 0` would pass on it: tests read measured cells with cellNumber, which refuses a blank.
it('tests read measured CSV cells with cellNumber, never with Number()', () => {
  const testSources = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test');
  const cellRead = /Number\((?:[A-Za-z_]\w*(?:\([^()]*\))?(?:\.[A-Za-z_]\w*(?:\([^()]*\))?|\[[^\]]*\])*?)[!?]?\.[a-z][a-z0-9_]*\)/;
  const found = readdirSync(testSources)
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) =>
      readFileSync(join(testSources, name), 'utf8')
        .split('\n')
        .flatMap((line, i) => (cellRead.test(line) ? [`test/${name}:${i + 1}: ${line.trim()}`] : [])),
    );
  assert.deepEqual(found, [], 'use cellNumber(row, column) from ./helpers/cli.js');
});
