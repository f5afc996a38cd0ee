// Two hosts (network namespaces) joined by a wire with a propagation delay, for what a
// sub-millisecond veth cannot show (this kernel has no netem): test/servers/delay_line.py
// holds a TUN device in each namespace and carries every packet across `delayMs` later.
// Each segment is its own packet (GSO off), so a drop rule drops segments, not bursts, and
// both hosts use reno, the loss-based congestion control every namespace may pick (a
// machine's default may be bbr, which does not slow down on random loss as most servers do).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ip, removeNamespace, type Host } from './netns.js';

const delayLine = join(import.meta.dirname, '..', '..', '..', 'test', 'servers', 'delay_line.py');
const device = 'sc0';

export interface DelayedLink {
  target: Host;
  gen: Host;
  /** Stops the wire and deletes both namespaces; safe to call twice. */
  remove(): void;
}

export async function createDelayedLink(prefix: string, delayMs: number): Promise<DelayedLink> {
  const target: Host = { namespace: `${prefix}-target`, address: '10.78.0.1' };
  const gen: Host = { namespace: `${prefix}-gen`, address: '10.78.0.2' };
  const created: string[] = [];
  // stdin stays open while we live: the wire stops when this process goes, however it goes.
  let wire: ReturnType<typeof spawn> | undefined;
  const remove = (): void => {
    wire?.kill('SIGKILL');
    wire = undefined;
    for (const namespace of created.splice(0)) removeNamespace(namespace);
  };
  try {
    for (const host of [target, gen]) {
      ip(['netns', 'add', host.namespace]);
      created.push(host.namespace);
      ip(['-n', host.namespace, 'link', 'set', 'lo', 'up']);
    }
    wire = spawn('/usr/bin/python3', [delayLine, target.namespace, gen.namespace, device, String(delayMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const [line] = (await Promise.race([once(wire.stdout!, 'data'), once(wire, 'exit')])) as [Buffer | number | null];
    if (!Buffer.isBuffer(line) || !line.toString().startsWith('ready')) throw new Error('the delay line did not start');
    for (const [host, peer] of [
      [target, gen],
      [gen, target],
    ] as const) {
      ip(['-n', host.namespace, 'addr', 'add', host.address, 'peer', peer.address, 'dev', device]);
      ip(['-n', host.namespace, 'link', 'set', 'dev', device, 'gso_max_segs', '1', 'up']);
      ip(['netns', 'exec', host.namespace, 'sysctl', '-q', '-w', 'net.ipv4.tcp_congestion_control=reno']);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { target, gen, remove };
}
