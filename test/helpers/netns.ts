// Throwaway network namespaces standing in for separate hosts: each host gets its own
// namespace with one address on eth0, wired to a bridge that lives in a namespace of its
// own, so the root namespace (and the machine's real network) is never touched.
import { execFileSync, spawn } from 'node:child_process';
import { binPath, type CliResult } from './cli.js';

export interface Host {
  namespace: string;
  address: string;
}

export interface Network<Name extends string> {
  hosts: Record<Name, Host>;
  /** Ends whatever still runs inside the namespaces and deletes them; safe to call twice. */
  remove(): void;
}

export function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

function failure(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr.trim() ? stderr.trim() : error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!;
}

/**
 * One namespace per named host, addressed in 10.77.0.0/24 (the names' addresses as given,
 * like { target: '10.77.0.1' }); names are prefixed with `prefix` so parallel runs do not clash.
 */
export function createNetwork<Name extends string>(prefix: string, addresses: Record<Name, string>): Network<Name> {
  const bridge = `${prefix}-br`;
  const created: string[] = [];
  const remove = (): void => {
    for (const namespace of created.splice(0).reverse()) removeNamespace(namespace);
  };
  try {
    ip(['netns', 'add', bridge]);
  } catch (error) {
    // These tests need the machine CI runs on (root, iproute2): failing says so, a skip would hide it.
    throw new Error(`network namespaces are needed (run as root with iproute2 installed): ip netns add failed: ${failure(error)}`);
  }
  created.push(bridge);
  const hosts = {} as Record<Name, Host>;
  try {
    ip(['-n', bridge, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', bridge, 'link', 'set', 'br0', 'up']);
    (Object.entries(addresses) as [Name, string][]).forEach(([name, address], index) => {
      const namespace = `${prefix}-${name}`;
      ip(['netns', 'add', namespace]);
      created.push(namespace);
      const port = `port${index}`;
      ip(['-n', bridge, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
      ip(['-n', bridge, 'link', 'set', port, 'master', 'br0']);
      ip(['-n', bridge, 'link', 'set', port, 'up']);
      ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
      ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
      hosts[name] = { namespace, address };
    });
  } catch (error) {
    remove();
    throw new Error(`building the test network failed: ${failure(error)}`);
  }
  return { hosts, remove };
}

/** A namespace lives on while a process is inside it, so those go first (they are ours: we made it). */
export function removeNamespace(namespace: string): void {
  try {
    for (const pid of ip(['netns', 'pids', namespace]).split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  } catch {
    // No such namespace any more.
  }
  try {
    ip(['netns', 'del', namespace]);
  } catch {
    // Already deleted.
  }
}

export interface HostProcess {
  pid: number | undefined;
  /** Resolves with the first line of stdout matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  stop(signal?: NodeJS.Signals): void;
  result: Promise<CliResult>;
}

/** The compiled CLI run inside `host`'s namespace (`ip netns exec` execs, so the pid is node's), under `wrapper` if given (`faketime` execs too). */
export function startOn(host: Host, args: string[], cwd: string, limitMs: number, wrapper: string[] = []): HostProcess {
  const child = spawn('ip', ['netns', 'exec', host.namespace, ...wrapper, process.execPath, binPath, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Nothing a test starts may outlive its bound.
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const result = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = stdout.split('\n').find((candidate) => pattern.test(candidate));
        if (line === undefined) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void result.then(() => {
        if (!listeners.has(check)) return;
        done();
        reject(new Error(`exited before a line matching ${pattern}; stdout: ${stdout} stderr: ${stderr}`));
      });
      check();
    });
  return {
    pid: child.pid,
    waitFor,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    result,
  };
}

/** Bytes a host has sent on its own link: proof the traffic left from that host. */
export function sentBytes(host: Host): number {
  const [link] = JSON.parse(ip(['-j', '-n', host.namespace, '-s', 'link', 'show', 'eth0'])) as { stats64: { tx: { bytes: number } } }[];
  return link!.stats64.tx.bytes;
}
