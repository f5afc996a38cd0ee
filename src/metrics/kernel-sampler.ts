// Kernel memory that sockets cost, beyond any process's RSS: socket buffers
// (/proc/net/sockstat `mem`, in pages) and slab objects (socket structs, inodes, dentries:
// /proc/meminfo `Slab`). Both are machine-wide, so the per-connection figure is a delta
// against a baseline taken just before the connections open.
import { readFileSync } from 'node:fs';

const pageBytes = 4096;

export interface KernelSample {
  socketBufferBytes: number;
  slabBytes: number;
  tcpInUse: number;
}

export function sampleKernel(): KernelSample | undefined {
  try {
    const sockstat = readFileSync('/proc/net/sockstat', 'utf8');
    const tcp = /TCP: inuse (\d+) .*mem (\d+)/.exec(sockstat);
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const slab = /Slab:\s+(\d+) kB/.exec(meminfo);
    return {
      socketBufferBytes: Number(tcp?.[2] ?? 0) * pageBytes,
      slabBytes: Number(slab?.[1] ?? 0) * 1024,
      tcpInUse: Number(tcp?.[1] ?? 0),
    };
  } catch {
    return undefined;
  }
}
