// What one held connection costs, per side: the figures capacity.csv and summary.csv report.
export interface ConnectionCosts {
  clientKibPerConn: number | undefined;
  serverKibPerConn: number | undefined;
  kernelKibPerConn: number | undefined;
  /** Server CPU from the baseline to the held sample, per connection opened in between. */
  serverCpuMsPerConn: number | undefined;
}
