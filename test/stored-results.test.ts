// compare, report and merge check what they read: a results folder with a missing or damaged
// file, or a value that is not what its field holds, is refused in one line naming the file
// (and the field), exit 2, no stack, and nothing is rewritten; merge refuses a shard whose
// histograms do not hold what its run.json counts. A last intervals.jsonl line cut short by
// a kill is left out with a warning.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { decodeHistogram, encodeHistogram } from '../src/metrics/histogram.js';
import { readCsv, readJson, runCli, tempDir, writeScenario, type CliResult } from './helpers/cli.js';

const dir = tempDir();
const scenario = writeScenario(
  dir,
  'stored.yaml',
  ['name: stored', 'connections: 2', 'duration: 1s', 'warmup: 0s', 'interval: 250ms', 'workers: 1', 'steps:', '  - name: one', '  - name: two', ''].join('\n'),
);
const shards = [join(dir, 'shard-1', 'sharded'), join(dir, 'shard-2', 'sharded')];
// The two halves of one run serve as well for compare and report: every reader meets the same folders.
const [current, baseline] = shards as [string, string];

before(async () => {
  const startAt = new Date(Date.now() + 4000).toISOString();
  const runs = await Promise.all(
    [1, 2].map((i) =>
      runCli(
        ['run', scenario, '--shard', `${i}/2`, '--start-at', startAt, '--run-id', 'sharded', '--out', join(dir, `shard-${i}`), '-q', '--no-progress'],
        dir,
      ),
    ),
  );
  for (const result of runs) assert.equal(result.code, 0, result.stderr);
});

let copies = 0;
/** A copy of `folder` with `damage` done to it, so every case starts from whole files. */
function damaged(folder: string, damage: (copy: string) => void): string {
  const copy = join(dir, `copy-${copies++}`, 'run');
  cpSync(folder, copy, { recursive: true });
  damage(copy);
  return copy;
}

type StepJson = Record<string, unknown> & { counters: Record<string, unknown> };

function editJson(file: string, edit: (document: { steps: StepJson[] }) => void): void {
  const document = readJson<{ steps: StepJson[] }>(file);
  edit(document);
  writeFileSync(file, JSON.stringify(document, null, 2));
}

/** Refused the way bad input is: exit 2, one line naming what is wrong, no stack trace. */
function assertRefused(result: CliResult, names: RegExp, command: string): void {
  assert.equal(result.code, 2, `${command}: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${command} says it in one line: ${result.stderr}`);
  assert.match(lines[0]!, names, command);
  assert.match(lines[0]!, /\(.*(restore|run it again).*\)$/, `${command} says the fix`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

const compare = (folder: string): Promise<CliResult> => runCli(['compare', baseline, folder, '--out', join(folder, '..', 'compared')], dir);
const report = (folder: string): Promise<CliResult> => runCli(['report', folder, '-q'], dir);
const merge = (shard: string): Promise<CliResult> => runCli(['merge', shard, shards[1]!, '--out', join(shard, '..', 'merged')], dir);

interface Damage {
  name: string;
  damage: (copy: string) => void;
  /** What the one line names: the file, and the field or line when it is a value. */
  names: RegExp;
  /** The commands that read the damaged file. */
  readers: ('compare' | 'report' | 'merge')[];
}

const damages: Damage[] = [
  {
    name: 'run.json missing',
    damage: (c) => unlinkSync(join(c, 'run.json')),
    names: /run\/run\.json: is missing, so this is not a results folder a run wrote/,
    readers: ['compare', 'report', 'merge'],
  },
  {
    name: 'run.json not JSON',
    damage: (c) => writeFileSync(join(c, 'run.json'), '{"runId": "x", "steps": ['),
    names: /run\/run\.json: cannot be read as JSON/,
    readers: ['compare', 'report', 'merge'],
  },
  {
    name: 'an error count that is a word',
    damage: (c) => editJson(join(c, 'run.json'), (d) => (d.steps[0]!.counters.errors = 'abc')),
    names: /run\/run\.json: steps\[0\]\.counters\.errors is "abc", expected a whole number/,
    readers: ['compare', 'report', 'merge'],
  },
  {
    name: 'a step label that is a number',
    damage: (c) => editJson(join(c, 'run.json'), (d) => (d.steps[1]!.label = 42)),
    names: /run\/run\.json: steps\[1\]\.label is 42, expected a string/,
    readers: ['compare', 'report', 'merge'],
  },
  {
    name: "a step's latency histogram deleted",
    damage: (c) => unlinkSync(join(c, 'histograms', 'step-1-latency.hdr')),
    names: /run\/histograms\/step-1-latency\.hdr: is missing; .*run\.json counts \d+ samples in it for step two/,
    readers: ['compare', 'report', 'merge'],
  },
  {
    name: 'histograms/ deleted',
    damage: (c) => rmSync(join(c, 'histograms'), { recursive: true }),
    names: /run\/histograms: is missing, and step one of .*run\.json recorded samples in it/,
    readers: ['compare', 'report', 'merge'],
  },
  {
    name: 'a histogram that is not one',
    damage: (c) => writeFileSync(join(c, 'histograms', 'step-0-latency.hdr'), 'HISTFAAAA garbage\n'),
    names: /run\/histograms\/step-0-latency\.hdr: is not an encoded HDR histogram/,
    readers: ['compare', 'report', 'merge'],
  },
  {
    // A valid histogram whose count disagrees with run.json: one sample added, as a file from another run would differ.
    name: 'a histogram with a sample more than run.json counts',
    damage: (c) => {
      const file = join(c, 'histograms', 'step-0-latency.hdr');
      const histogram = decodeHistogram(readFileSync(file, 'utf8').trim());
      histogram.recordValue(1000);
      writeFileSync(file, `${encodeHistogram(histogram)}\n`);
    },
    names: /run\/histograms\/step-0-latency\.hdr: holds (\d+) samples where .*run\.json counts \d+ for step one/,
    readers: ['compare', 'report', 'merge'],
  },
  {
    name: 'intervals.jsonl missing',
    damage: (c) => unlinkSync(join(c, 'intervals.jsonl')),
    names: /run\/intervals\.jsonl: is missing/,
    readers: ['compare', 'merge'],
  },
  {
    name: 'an intervals.jsonl line damaged in the middle',
    damage: (c) => {
      const lines = readFileSync(join(c, 'intervals.jsonl'), 'utf8').split('\n');
      lines[1] = lines[1]!.slice(0, 50);
      writeFileSync(join(c, 'intervals.jsonl'), lines.join('\n'));
    },
    names: /run\/intervals\.jsonl: line 2 is not a JSON interval/,
    readers: ['compare', 'merge'],
  },
  {
    name: 'an interval count that is a word',
    damage: (c) => {
      const lines = readFileSync(join(c, 'intervals.jsonl'), 'utf8').split('\n');
      lines[2] = lines[2]!.replace(/"errors":\d+/, '"errors":"abc"');
      writeFileSync(join(c, 'intervals.jsonl'), lines.join('\n'));
    },
    names: /run\/intervals\.jsonl: line 3: counters\.errors is "abc", expected a whole number/,
    readers: ['compare', 'merge'],
  },
  {
    name: 'timeseries.csv missing',
    damage: (c) => unlinkSync(join(c, 'timeseries.csv')),
    names: /run\/timeseries\.csv: is missing/,
    readers: ['report'],
  },
  {
    name: 'a timeseries.csv cell that is a word',
    damage: (c) => {
      const lines = readFileSync(join(c, 'timeseries.csv'), 'utf8').split('\n');
      const errors = lines[0]!.split(',').indexOf('errors');
      const cells = lines[2]!.split(',');
      cells[errors] = 'abc';
      lines[2] = cells.join(',');
      writeFileSync(join(c, 'timeseries.csv'), lines.join('\n'));
    },
    names: /run\/timeseries\.csv: line 3: errors is "abc", expected a number/,
    readers: ['report'],
  },
];

test('compare, report and merge refuse a missing or damaged file in one line naming it, exit 2, and rewrite nothing', async () => {
  const cases = damages.flatMap(({ name, damage, names, readers }) =>
    readers.map((reader) => async (): Promise<void> => {
      const folder = damaged(current, damage);
      const summary = readFileSync(join(folder, 'summary.csv'), 'utf8');
      assertRefused(await { compare, report, merge }[reader](folder), names, `${reader}, ${name}`);
      assert.equal(readFileSync(join(folder, 'summary.csv'), 'utf8'), summary, `${reader}, ${name}: summary.csv left as it was`);
    }),
  );
  // Refusals come before any load or writing: a few at a time keeps the test short.
  for (let i = 0; i < cases.length; i += 4) await Promise.all(cases.slice(i, i + 4).map((check) => check()));
});

test('an intervals.jsonl whose last line was cut short by a kill: that interval is left out with a warning', async () => {
  const cut = (c: string): void => {
    const text = readFileSync(join(c, 'intervals.jsonl'), 'utf8');
    writeFileSync(join(c, 'intervals.jsonl'), text.slice(0, text.length - 120));
  };
  const lines = (folder: string): { stepIndex: number }[] =>
    readFileSync(join(folder, 'intervals.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { stepIndex: number });
  const [first, second] = [lines(shards[0]!), lines(shards[1]!)];
  const shard = damaged(current, cut);
  const merged = await merge(shard);
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stderr, new RegExp(`warning: .*run/intervals\\.jsonl: its last line \\(${first.length}\\) is cut short.*left out`));
  // Merged rows line shards up by step and rank: shard 1 lost its last interval alone, and no row is there twice.
  const kept = first.slice(0, -1);
  const perStep = (records: { stepIndex: number }[], step: number): number => records.filter((record) => record.stepIndex === step).length;
  const expected = [0, 1].reduce((total, step) => total + Math.max(perStep(kept, step), perStep(second, step)), 0);
  assert.equal(readCsv(join(shard, '..', 'merged', 'timeseries.csv')).length, expected);

  const compared = await compare(damaged(current, cut));
  assert.equal(compared.code, 0, compared.stderr);
  assert.match(compared.stderr, /warning: .*run\/intervals\.jsonl: its last line \(\d+\) is cut short/);
});
