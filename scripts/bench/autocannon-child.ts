// Child process: autocannon 8 through its programmatic API, one thread, default options.
// A warm-up run first (so JIT and connection set-up stay out, as in sockcap's measured
// window), then the measured run with process.cpuUsage() read around it. Prints one JSON
// line: { requests, durationS, cpuMs, errors }.
// Usage: node autocannon-child.js '{"url":"http://127.0.0.1:8080/","connections":50,"durationMs":10000,"warmupMs":1000}'
import { createRequire } from 'node:module';

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
}

type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => unknown;

export interface AutocannonChildInput {
  url: string;
  connections: number;
  durationMs: number;
  warmupMs: number;
}

export interface AutocannonChildOutput {
  requests: number;
  durationS: number;
  cpuMs: number;
  errors: number;
}

// autocannon ships CommonJS without type declarations; only the part used here is typed.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function run(options: AutocannonOptions): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const input = JSON.parse(process.argv[2] ?? '') as AutocannonChildInput;
const base = { url: input.url, connections: input.connections };
if (input.warmupMs > 0) await run({ ...base, duration: input.warmupMs / 1000 });
const before = process.cpuUsage();
const result = await run({ ...base, duration: input.durationMs / 1000 });
const used = process.cpuUsage(before);
const output: AutocannonChildOutput = {
  requests: result.requests.total,
  durationS: result.duration,
  cpuMs: (used.user + used.system) / 1000,
  errors: result.errors + result.timeouts + result.non2xx,
};
console.log(JSON.stringify(output));
