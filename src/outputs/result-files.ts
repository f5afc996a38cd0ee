// Every file of a results folder, as one list: `run`, `merge` and the API write the same
// files the same way.
import type { ThresholdJudge } from '../results/threshold-verdict.js';
import { CapacityCsv } from './capacity-csv.js';
import { CometCompare } from './comet-compare.js';
import { CsvFiles } from './csv-files.js';
import { HistogramFiles } from './histogram-files.js';
import { HtmlReport } from './html-report.js';
import { IntervalLog } from './interval-log.js';
import type { Output } from '../results/run-result.js';
import { RunJson } from './run-json.js';

export interface ResultWriterOptions {
  /** The capacity.csv writer, when the caller records an SLO verdict in it. */
  capacity?: CapacityCsv;
  /** The thresholds' verdicts on the steps so far, for the report. */
  judge: ThresholdJudge;
}

export function resultFiles(options: ResultWriterOptions): Output[] {
  return [
    new CsvFiles(),
    new CometCompare(),
    options.capacity ?? new CapacityCsv(),
    new HistogramFiles(),
    new IntervalLog(),
    new RunJson(),
    new HtmlReport(options.judge),
  ];
}
