// Every file of a results folder, as one list: `run`, `merge` and the API write the same
// files the same way.
import type { ThresholdAbort } from '../results/threshold-abort.js';
import { CapacityCsv } from './capacity-csv.js';
import { CometCompare } from './comet-compare.js';
import { CsvFiles } from './csv-files.js';
import { HistogramFiles } from './histogram-files.js';
import { HtmlReport } from './html-report.js';
import { IntervalLog } from './interval-log.js';
import type { Output } from '../results/run-result.js';
import { RunJson } from './run-json.js';

export interface ResultFileOptions {
  /** The capacity.csv writer, when the caller records an SLO verdict in it. */
  capacity?: CapacityCsv;
  /** The threshold that stopped the run, for the report's banner. */
  aborted?: () => ThresholdAbort | undefined;
}

export function resultFiles(options: ResultFileOptions = {}): Output[] {
  return [
    new CsvFiles(),
    new CometCompare(),
    options.capacity ?? new CapacityCsv(),
    new HistogramFiles(),
    new IntervalLog(),
    new RunJson(),
    new HtmlReport(options.aborted),
  ];
}
