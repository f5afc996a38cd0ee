// Runs the compiled CLI as a user would and reads the files it writes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, type TestContext } from 'node:test';
import { parse } from 'csv-parse/sync';

export const binPath = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], cwd: string): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [binPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, result };
}

export function runCli(args: string[], cwd: string): Promise<CliResult> {
  return startCli(args, cwd).result;
}

// No test leaves a folder behind in /tmp: testDir's folder is removed when its test ends,
// tempDir's (shared by the tests of a file) when the file's last test has run.
const sharedDirs: string[] = [];
after(() => {
  for (const dir of sharedDirs) rmSync(dir, { recursive: true, force: true });
});

/** A folder for the tests of a file, removed after the last of them. */
export function tempDir(prefix = 'sockcap-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  sharedDirs.push(dir);
  return dir;
}

/** A folder for one test, removed when it ends (passed or failed). */
export function testDir(t: Pick<TestContext, 'after'>, prefix = 'sockcap-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeScenario(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The single results folder a run wrote under `parent`. */
export function onlyRunDir(parent: string): string {
  const entries = readdirSync(parent);
  if (entries.length !== 1) throw new Error(`expected one results folder in ${parent}, found ${entries.join(', ')}`);
  return join(parent, entries[0]!);
}

/** Runs `sockcap run` on a scenario in a fresh folder, asserts exit 0, and returns its results folder and its console (stderr). */
export async function runScenario(text: string): Promise<{ runDir: string; stderr: string }> {
  const dir = tempDir();
  const file = writeScenario(dir, 'scenario.yaml', text);
  const { code, stderr } = await runCli(['run', file, '--out', join(dir, 'results')], dir);
  assert.equal(code, 0, stderr);
  return { runDir: onlyRunDir(join(dir, 'results')), stderr };
}

export function readCsv(file: string): Record<string, string>[] {
  return parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/**
 * A measured cell of a CSV row as a number. A blank cell means "not measured" and fails here:
 * `Number('')` is 0, so a plain conversion would let an empty cell pass a `>= 0` check.
 */
export function cellNumber(row: Record<string, string> | undefined, column: string): number {
  const cell = row?.[column];
  assert.ok(cell !== undefined && cell.trim() !== '', `column ${column} has a value (row: ${JSON.stringify(row)})`);
  const value = Number(cell);
  assert.ok(Number.isFinite(value), `column ${column} is a number, got ${JSON.stringify(cell)}`);
  return value;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
