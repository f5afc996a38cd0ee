// intervals.jsonl read back: what `sockcap merge` adds up across shards and what
// `sockcap compare` measures a run's interval-to-interval noise from. Written by
// src/outputs/interval-log.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import type { Counters } from '../metrics/counters.js';
import { decodeHistogram, metricNames, type Histogram, type MetricName } from '../metrics/histogram.js';
import { FieldReader, StoredFileError } from './stored-value.js';

export const intervalLogFile = 'intervals.jsonl';

export interface IntervalRecord {
  stepIndex: number;
  phase: 'warmup' | 'measure';
  elapsedS: number;
  intervalS: number;
  stepDurationS: number;
  connectionsOpen: number;
  /** Absent where the workers did not count clients (and in runs before it was recorded). */
  clientsHeld?: number;
  counters: Counters;
  histograms: Partial<Record<MetricName, string>>;
  client: { cpuPct: number; rssBytes: number };
  server: { cpuPct: number; rssBytes: number; openFds?: number | undefined } | null;
  saturationCauses: string[];
}

/**
 * The intervals a run logged, each line checked. A last line cut short (no newline: the
 * process was killed while writing it) is left out with a warning, since everything before
 * it is whole; any other line that is not a whole interval is refused naming its number.
 */
export function readIntervalLog(dir: string, warn: (message: string) => void = (message) => process.stderr.write(`warning: ${message}\n`)): IntervalRecord[] {
  const file = join(dir, intervalLogFile);
  if (!existsSync(file)) throw new StoredFileError(file, 'is missing', 'restore it from the run, or run it again: merge and compare read every interval from it');
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const unfinished = lines.pop() ?? '';
  const records = lines.flatMap((line, i) => (line.trim() === '' ? [] : [parseRecord(file, line, i + 1)]));
  if (unfinished.trim() !== '') {
    try {
      records.push(parseRecord(file, unfinished, lines.length + 1));
    } catch (error) {
      if (!(error instanceof StoredFileError)) throw error;
      warn(`${file}: its last line (${lines.length + 1}) is cut short, as when the run was killed while writing it: that interval is left out`);
    }
  }
  return records;
}

function parseRecord(file: string, line: string, number: number): IntervalRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new StoredFileError(file, `line ${number} is not a JSON interval (${errorMessage(error)})`);
  }
  const read = new FieldReader(file, `line ${number}: `);
  const record = read.object(parsed, 'the line');
  read.count(record.stepIndex, 'stepIndex');
  read.oneOf(record.phase, 'phase', ['warmup', 'measure']);
  for (const field of ['elapsedS', 'intervalS', 'stepDurationS']) read.number(record[field], field);
  read.count(record.connectionsOpen, 'connectionsOpen');
  if (record.clientsHeld !== undefined) read.count(record.clientsHeld, 'clientsHeld');
  read.counters(record.counters, 'counters');
  for (const [metric, encoded] of Object.entries(read.object(record.histograms, 'histograms'))) {
    read.string(encoded, `histograms.${metric}`);
    // Decoded here so a damaged one is refused by line, not met later as a bare exception.
    try {
      decodeHistogram(encoded as string).destroy();
    } catch (error) {
      throw read.wrong(`histograms.${metric}`, `an encoded HDR histogram (${errorMessage(error)})`, encoded);
    }
  }
  for (const side of ['client', 'server'] as const) {
    if (side === 'server' && record.server === null) continue;
    const figures = read.object(record[side], side);
    read.number(figures.cpuPct, `${side}.cpuPct`);
    read.number(figures.rssBytes, `${side}.rssBytes`);
  }
  read.strings(record.saturationCauses, 'saturationCauses');
  return record as unknown as IntervalRecord;
}

export function decodeIntervalHistograms(record: IntervalRecord): Map<MetricName, Histogram> {
  const histograms = new Map<MetricName, Histogram>();
  for (const [metric, encoded] of Object.entries(record.histograms)) {
    if ((metricNames as readonly string[]).includes(metric) && encoded) histograms.set(metric as MetricName, decodeHistogram(encoded));
  }
  return histograms;
}
