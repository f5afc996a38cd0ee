// What the connections of a step cost: memory of both sides and of the kernel, measured as
// deltas between a baseline taken just before the first connection opens and a sample
// taken while every connection is still held, divided by the connections held.
import { sampleKernel, type KernelSample } from '../metrics/kernel-sampler.js';
import type { ProcessGroup, ProcessSample, ServerSampler } from '../metrics/process-sampler.js';
import type { ConnectionCosts } from '../results/connection-costs.js';

export interface CostSample {
  client: ProcessSample | undefined;
  server: ProcessSample | undefined;
  kernel: KernelSample | undefined;
}

/** The server's reading is taken first when it has to be fetched (a metrics endpoint): all three then describe one moment. */
export async function sampleCosts(client: ProcessGroup, server: ServerSampler | undefined): Promise<CostSample> {
  await server?.refresh();
  return { client: client.sample(), server: server?.sample(), kernel: sampleKernel() };
}

export function connectionCosts(
  baseline: CostSample | undefined,
  held: CostSample | undefined,
  connectionsHeld: number,
  connectionsOpened: number,
): ConnectionCosts {
  const perConnection = (from: number | undefined, to: number | undefined): number | undefined =>
    from === undefined || to === undefined || connectionsHeld <= 0 ? undefined : (to - from) / 1024 / connectionsHeld;
  const kernelBytes = (sample: KernelSample | undefined): number | undefined => (sample ? sample.slabBytes + sample.socketBufferBytes : undefined);
  const serverCpuMs = baseline?.server && held?.server && connectionsOpened > 0 ? (held.server.cpuMs - baseline.server.cpuMs) / connectionsOpened : undefined;
  return {
    clientKibPerConn: perConnection(baseline?.client?.rssBytes, held?.client?.rssBytes),
    serverKibPerConn: perConnection(baseline?.server?.rssBytes, held?.server?.rssBytes),
    kernelKibPerConn: perConnection(kernelBytes(baseline?.kernel), kernelBytes(held?.kernel)),
    serverCpuMsPerConn: serverCpuMs,
  };
}
