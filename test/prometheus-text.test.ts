// The Prometheus text reader sockcap scrapes targets with: what real exporters write (labels
// with escapes, HELP and TYPE, timestamps, NaN in any case) is read, and anything that is not
// the format is refused with its line, never read as numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricValue, parsePrometheusText, PrometheusTextError } from '../src/metrics/prometheus-text.js';

test('counters, gauges, labels with escapes, comments, timestamps and special values are read', () => {
  const families = parsePrometheusText(
    [
      '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
      '# TYPE process_cpu_seconds_total counter',
      'process_cpu_seconds_total 12.5 1764554400000',
      '# a free comment',
      '# TYPE process_resident_memory_bytes gauge',
      'process_resident_memory_bytes 5.7147392e+07',
      'sockets{state="time-wait",port="8080"} 3',
      'sockets{state="established" , port="8080",} 40',
      'odd{path="C:\\\\dir\\"x\\"\\nnext"} 1',
      'nodejs_eventloop_lag_mean_seconds Nan',
      'up +Inf',
      '',
    ].join('\r\n'),
  );
  assert.equal(families.get('process_cpu_seconds_total')?.type, 'counter');
  assert.equal(metricValue(families, 'process_cpu_seconds_total'), 12.5);
  assert.equal(metricValue(families, 'process_resident_memory_bytes'), 57147392);
  assert.deepEqual(
    families.get('sockets')?.samples.map((sample) => [sample.labels, sample.value]),
    [
      [{ state: 'time-wait', port: '8080' }, 3],
      [{ state: 'established', port: '8080' }, 40],
    ],
  );
  assert.equal(metricValue(families, 'sockets'), 43);
  assert.deepEqual(families.get('odd')?.samples[0]?.labels, { path: 'C:\\dir"x"\nnext' });
  assert.ok(Number.isNaN(families.get('nodejs_eventloop_lag_mean_seconds')?.samples[0]?.value));
  assert.equal(metricValue(families, 'nodejs_eventloop_lag_mean_seconds'), undefined, 'NaN is not a reading');
  assert.equal(metricValue(families, 'missing'), undefined);
});

test('what is not Prometheus text is refused with its line', () => {
  const refused: [string, RegExp][] = [
    ['<html><body>Welcome</body></html>', /^line 1: expected a metric name/],
    ['ok 1\n{"cpu": 1}', /^line 2: expected a metric name/],
    ['process_cpu_seconds_total twelve', /^line 1: process_cpu_seconds_total's value "twelve" is not a number/],
    ['process_cpu_seconds_total', /^line 1: expected process_cpu_seconds_total's value/],
    ['process_cpu_seconds_total 1 2 3', /^line 1: expected process_cpu_seconds_total's value/],
    ['process_cpu_seconds_total 1 soon', /timestamp "soon" is not whole milliseconds/],
    ['a{b="c} 1', /^line 1: a label value of a has no closing quote/],
    ['a{b=c} 1', /^line 1: expected label="value" in a's labels/],
    ['a{b="c" d="e"} 1', /^line 1: expected , or } after a label of a/],
    ['a{b="\\q"} 1', /unknown escape \\q/],
    ['# TYPE a meter\na 1', /^line 1: a TYPE line names an unknown type/],
  ];
  for (const [text, message] of refused) {
    assert.throws(
      () => parsePrometheusText(text),
      (error: unknown) => error instanceof PrometheusTextError && message.test(error.message),
      text,
    );
  }
});
