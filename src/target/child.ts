// Entry point of the built-in target's own process, so the target's CPU and memory are
// measured apart from the generator's. Forked by spawn.ts; see messages.ts for the protocol.
// This is a process of its own, so it ends itself with process.exit.

// First, before the server code loads: end with the parent, however it dies.
import './parent-watch.js';
import { startTarget, type RunningTarget, type TargetOptions } from './server.js';
import { targetOptionsEnv, type ChildMessage, type ParentMessage } from './messages.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

function readOptions(): TargetOptions {
  const raw = process.env[targetOptionsEnv];
  if (!raw) throw Object.assign(new Error(`${targetOptionsEnv} is not set`), { code: 'bad_options' });
  return JSON.parse(raw) as TargetOptions;
}

async function main(): Promise<void> {
  // The parent handles Ctrl-C and stops us after writing its results; a terminal's Ctrl-C
  // reaches the whole process group, and dying here first would lose the final stats.
  process.on('SIGINT', () => {});

  let target: RunningTarget;
  try {
    target = await startTarget(readOptions());
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'start_failed';
    await send({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await target.close();
    await send({ type: 'stopped', stats: target.stats() });
    process.exit(0);
  };

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') void send({ type: 'stats', id: message.id, stats: target.stats() });
    else if (message.type === 'stop') void stop();
    else if (message.type === 'drop') target.dropAll();
  });
  process.on('SIGTERM', () => void stop());
  // The parent died or let go of us: nobody is left to ask for stats.
  process.on('disconnect', () => void stop());

  await send({ type: 'ready', url: target.url, pid: process.pid });
}

void main();
