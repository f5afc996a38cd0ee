// What one held connection costs, per side: the figures capacity.csv and summary.csv report.
export interface ConnectionCosts {
  clientKibPerConn: number | undefined;
  serverKibPerConn: number | undefined;
  kernelKibPerConn: number | undefined;
  /** Server CPU from the baseline to the held sample, per connection opened in between. */
  serverCpuMsPerConn: number | undefined;
}

interface PricedStep {
  connectionsPeak: number;
  clientsPeak?: number | undefined;
  costsPerClient?: boolean;
  totals: { connectionsOpened: number; clientsOpened: number };
}

/** What the memory costs of a step were divided by: the clients held when priced per client, else the sockets. */
export const pricedHeld = (step: PricedStep): number => (step.costsPerClient ? (step.clientsPeak ?? 0) : step.connectionsPeak);

/** What the server CPU per connection of a step was divided by: the clients opened when priced per client, else the sockets. */
export const pricedOpened = (step: PricedStep): number => (step.costsPerClient ? step.totals.clientsOpened : step.totals.connectionsOpened);
