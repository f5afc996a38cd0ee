// What `sockcap agent` answers on /metrics, in the Prometheus text format: the standard
// process metrics (the names client libraries export, so `sockcap run --target-metrics`
// and Prometheus read them alike) summed over the measured processes, the TCP sockets of the
// server's port by state, and the kernel's socket memory of this network namespace.
import type { KernelSample } from '../metrics/kernel-sampler.js';
import type { ProcessSample } from '../metrics/process-sampler.js';
import { agentInfoMetric, agentProcessesMetric } from '../metrics/metrics-scraper.js';

export interface AgentReading {
  version: string;
  processes: number;
  /** Undefined when no process matches (yet). */
  process: ProcessSample | undefined;
  /** Undefined without --port. */
  sockets: { port: number; states: Record<string, number> } | undefined;
  kernel: KernelSample | undefined;
}

function family(name: string, type: string, help: string, lines: string[]): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines].join('\n');
}

export function exposition(reading: AgentReading): string {
  const parts = [
    family(agentInfoMetric, 'gauge', 'sockcap agent, by version.', [`${agentInfoMetric}{version="${reading.version}"} 1`]),
    family(agentProcessesMetric, 'gauge', 'Processes summed in the process_ metrics.', [`${agentProcessesMetric} ${reading.processes}`]),
  ];
  const { process } = reading;
  if (process) {
    parts.push(
      family('process_cpu_seconds_total', 'counter', 'User and system CPU time of the processes, in seconds.', [
        `process_cpu_seconds_total ${process.cpuMs / 1000}`,
      ]),
      family('process_resident_memory_bytes', 'gauge', 'Resident memory of the processes, in bytes.', [`process_resident_memory_bytes ${process.rssBytes}`]),
    );
    if (process.openFds !== undefined) {
      parts.push(family('process_open_fds', 'gauge', 'Open file descriptors of the processes.', [`process_open_fds ${process.openFds}`]));
    }
  }
  if (reading.sockets) {
    const { port, states } = reading.sockets;
    const lines = Object.entries(states).map(([state, count]) => `sockcap_tcp_sockets{port="${port}",state="${state}"} ${count}`);
    parts.push(family('sockcap_tcp_sockets', 'gauge', 'TCP sockets whose local port is the server port, by state.', lines));
  }
  if (reading.kernel) {
    const { kernel } = reading;
    parts.push(
      family('sockcap_kernel_tcp_sockets_inuse', 'gauge', 'TCP sockets in use in this network namespace (/proc/net/sockstat).', [
        `sockcap_kernel_tcp_sockets_inuse ${kernel.tcpInUse}`,
      ]),
      family('sockcap_kernel_tcp_memory_bytes', 'gauge', 'Memory of TCP socket buffers, in bytes (/proc/net/sockstat mem).', [
        `sockcap_kernel_tcp_memory_bytes ${kernel.socketBufferBytes}`,
      ]),
      family('sockcap_kernel_slab_bytes', 'gauge', 'Kernel slab memory of the host, socket structures among it (/proc/meminfo Slab).', [
        `sockcap_kernel_slab_bytes ${kernel.slabBytes}`,
      ]),
    );
  }
  return `${parts.join('\n')}\n`;
}
